/**
 * Grad-CAM in the preview (toggled with Shift+H) and Try a photo: the active model's answers for
 * one image at a time, from 'explain:photo'. Preview answers are kept per run and photo.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { PhotoExplanationDto } from '../../shared/explain-dto';
import { ApiError, invoke } from '../api';
import { imageForUpload } from '../lib/image-upload';
import { useProjectStore } from './project';
import { useTrainingStore } from './training';

export interface TriedImage {
  name: string;
  /** Object URL of the file as given, to show it whole. */
  url: string;
  answer: PhotoExplanationDto | null;
  error: string | null;
}

function message(err: unknown): string {
  return err instanceof ApiError || err instanceof Error ? err.message : String(err);
}

export const useExplainStore = defineStore('explain', () => {
  const training = useTrainingStore();
  const overlayOn = ref(false);
  const answers = shallowRef<ReadonlyMap<string, PhotoExplanationDto>>(new Map());
  const errors = shallowRef<ReadonlyMap<string, string>>(new Map());
  const pending = new Set<string>();
  const activeRunId = computed(() => training.activeRun?.id ?? null);

  const keyOf = (photoId: number) => `${activeRunId.value}:${photoId}`;
  const answerFor = (photoId: number) => answers.value.get(keyOf(photoId)) ?? null;
  const errorFor = (photoId: number) => errors.value.get(keyOf(photoId)) ?? null;
  const loadingFor = (photoId: number) => pending.has(keyOf(photoId)) && !answers.value.has(keyOf(photoId));

  async function explainPhoto(photoId: number): Promise<void> {
    const runId = activeRunId.value;
    const key = keyOf(photoId);
    if (runId === null || answers.value.has(key) || pending.has(key)) return;
    pending.add(key);
    errors.value = new Map([...errors.value].filter(([k]) => k !== key));
    try {
      const answer = await invoke('explain:photo', { runId, photoId });
      answers.value = new Map(answers.value).set(key, answer);
    } catch (err) {
      errors.value = new Map(errors.value).set(key, message(err));
    } finally {
      pending.delete(key);
      // Re-render the loading state (pending is not reactive on its own).
      answers.value = new Map(answers.value);
    }
  }

  function toggleOverlay(photoId: number | null): void {
    overlayOn.value = !overlayOn.value;
    if (overlayOn.value && photoId !== null) void explainPhoto(photoId);
  }

  const tried = ref<TriedImage | null>(null);
  const trying = ref(false);
  let attempt = 0;
  let lastFile: File | null = null;

  /** Runs the active model on any image file (dropped, pasted or picked); the heatmap explains `className`, else the top class. */
  async function tryImage(file: File, className?: string): Promise<void> {
    const mine = ++attempt;
    const name = file.name || 'pasted image';
    if (file !== lastFile || !tried.value) {
      if (tried.value) URL.revokeObjectURL(tried.value.url);
      tried.value = { name, url: URL.createObjectURL(file), answer: null, error: null };
    } else tried.value = { ...tried.value, error: null };
    lastFile = file;
    trying.value = true;
    try {
      const upload = await imageForUpload(file);
      if ('error' in upload) throw new Error(upload.error);
      const answer = await invoke('explain:photo', { image: upload, runId: activeRunId.value ?? undefined, className });
      if (mine === attempt && tried.value) tried.value = { ...tried.value, answer };
    } catch (err) {
      if (mine === attempt && tried.value) tried.value = { ...tried.value, error: message(err) };
    } finally {
      if (mine === attempt) trying.value = false;
    }
  }

  // Run and photo ids mean nothing in another project: forget what was shown for the old one.
  watch(
    () => useProjectStore().project?.path,
    (now, before) => {
      if (before === undefined || now === before) return;
      answers.value = new Map();
      errors.value = new Map();
      if (tried.value) URL.revokeObjectURL(tried.value.url);
      tried.value = null;
      lastFile = null;
      attempt++;
    }
  );

  /** The tried image again, its heatmap explaining another class. */
  function explainClass(className: string): void {
    if (lastFile) void tryImage(lastFile, className);
  }

  return { overlayOn, activeRunId, answerFor, errorFor, loadingFor, explainPhoto, toggleOverlay, tried, trying, tryImage, explainClass };
});
