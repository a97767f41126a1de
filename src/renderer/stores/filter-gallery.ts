/**
 * "What the network sees": the conv layers of the backbone, and one filter job at a time whose
 * images arrive as 'explain:filters' events and fill the gallery, highest activation first.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ExplainLayers, FilterImageDto, FilterJobEvent } from '../../shared/explain-dto';
import { ApiError, invoke, on } from '../api';

export type GalleryStatus = 'idle' | 'running' | 'completed' | 'cancelled' | 'failed';

function message(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : String(err);
}

export const useFilterGalleryStore = defineStore('filter-gallery', () => {
  const layers = ref<ExplainLayers | null>(null);
  const layersError = ref<string | null>(null);
  const loadingLayers = ref(false);
  const layer = ref('');
  const first = ref(0);
  const count = ref(16);
  const jobId = ref<number | null>(null);
  const images = ref<FilterImageDto[]>([]);
  const progress = ref<{ filtersDone: number; filtersTotal: number; done: number; total: number } | null>(null);
  const status = ref<GalleryStatus>('idle');
  const error = ref<string | null>(null);
  /** Events of jobs whose id the invoke has not answered yet (a fast job may start talking first). */
  const early = new Map<number, FilterJobEvent[]>();
  let unsubscribe: (() => void) | null = null;

  const sorted = computed(() => [...images.value].sort((a, b) => b.activationEnd - a.activationEnd || a.index - b.index));
  const chosenLayer = computed(() => layers.value?.layers.find((l) => l.name === layer.value) ?? null);

  async function loadLayers(): Promise<void> {
    if (loadingLayers.value) return;
    loadingLayers.value = true;
    layersError.value = null;
    try {
      layers.value = await invoke('explain:layers', {});
      const names = layers.value.layers.map((l) => l.name);
      // A layer a few blocks in shows textures; the first ones are edges and colours.
      if (!names.includes(layer.value)) layer.value = names[Math.min(names.length - 1, Math.floor(names.length / 4))] ?? '';
    } catch (err) {
      layersError.value = message(err);
    } finally {
      loadingLayers.value = false;
    }
  }

  function apply(e: FilterJobEvent): void {
    if (e.kind === 'filter') images.value = [...images.value.filter((i) => i.index !== e.filter.index), e.filter];
    else if (e.kind === 'progress')
      progress.value = { filtersDone: e.filtersDone, filtersTotal: e.filtersTotal, done: e.done, total: e.total };
    else {
      status.value = e.status;
      error.value = e.error;
    }
  }

  function onEvent(e: FilterJobEvent): void {
    if (e.jobId === jobId.value) apply(e);
    else if (jobId.value === null || e.jobId > jobId.value) early.set(e.jobId, [...(early.get(e.jobId) ?? []), e]);
  }

  async function start(): Promise<void> {
    unsubscribe ??= on('explain:filters', onEvent);
    images.value = [];
    progress.value = null;
    error.value = null;
    status.value = 'running';
    jobId.value = null;
    try {
      const answer = await invoke('explain:filters', { layer: layer.value, first: first.value, count: count.value });
      jobId.value = answer.jobId;
      for (const e of early.get(answer.jobId) ?? []) apply(e);
      early.clear();
    } catch (err) {
      status.value = 'failed';
      error.value = message(err);
    }
  }

  async function cancel(): Promise<void> {
    if (jobId.value === null || status.value !== 'running') return;
    try {
      await invoke('explain:cancel', { jobId: jobId.value });
    } catch (err) {
      error.value = message(err);
    }
  }

  return {
    layers,
    layersError,
    loadingLayers,
    layer,
    first,
    count,
    jobId,
    images,
    sorted,
    progress,
    status,
    error,
    chosenLayer,
    loadLayers,
    start,
    cancel
  };
});
