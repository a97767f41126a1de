/**
 * What the grid shows: the query (filter, search, sort) and a sparse, paged cache of the
 * matching photos. Only the pages near the viewport are held; ids of the whole query are
 * fetched on demand (select-all, long Shift ranges) and are plain numbers, not records.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { PhotoFilter, PhotoSort } from '../../shared/contract';
import type { PhotoDto, PhotoPage } from '../../shared/dto';
import { invoke } from '../api';
import { PhotoPageCache } from '../lib/photo-page-cache';
import { useNoticesStore } from './notices';

export interface PhotoQuery {
  filter: PhotoFilter;
  search: string;
  sort: PhotoSort;
}

/** Caches kept for recently used queries, so flipping between filters is instant. */
const KEPT_QUERIES = 4;

/** Thrown by idsInRange when the range reaches pages that are not held. */
export class MissingPages extends Error {
  constructor() {
    super('Some photos of the range are not loaded.');
  }
}

export function queryKey(q: PhotoQuery): string {
  return JSON.stringify([q.filter, q.search.trim().toLowerCase(), q.sort]);
}

export const useLibraryStore = defineStore('library', () => {
  const notices = useNoticesStore();
  const query = ref<PhotoQuery>({ filter: { kind: 'all' }, search: '', sort: 'name' });
  const caches = new Map<string, PhotoPageCache>();
  const cache = shallowRef<PhotoPageCache>(cacheFor(query.value));
  /** Bumped whenever a page lands; the grid re-reads items through it. */
  const version = ref(0);
  const total = computed(() => {
    void version.value;
    return cache.value.total ?? 0;
  });
  const loading = computed(() => {
    void version.value;
    return cache.value.total === null;
  });
  let idsMemo: { key: string; version: number; ids: Promise<number[]> } | null = null;
  /**
   * Label changes shown before the main side confirmed them. A page fetched before a change
   * was confirmed would otherwise put the old label back on screen for a moment.
   */
  const overrides = new Map<number, { classId: number | null; source: 'user' | 'model'; confirmedAt: number | null }>();
  /** Counts page requests; a change confirmed at tick t is in every page requested after t. */
  let tick = 0;

  async function fetchPage(q: PhotoQuery, offset: number, limit: number): Promise<PhotoPage> {
    const requestedAt = ++tick;
    const page = await invoke('photos:page', { filter: q.filter, search: q.search.trim(), sort: q.sort, offset, limit });
    return overrides.size === 0 ? page : { ...page, items: page.items.map((item) => withOverride(item, requestedAt)) };
  }

  function withOverride(item: PhotoDto, requestedAt: number): PhotoDto {
    const o = overrides.get(item.id);
    if (!o) return item;
    if (o.confirmedAt !== null && requestedAt > o.confirmedAt) {
      overrides.delete(item.id);
      return item;
    }
    return { ...item, classId: o.classId, labelSource: o.classId === null ? null : o.source };
  }

  function cacheFor(q: PhotoQuery): PhotoPageCache {
    const key = queryKey(q);
    let found = caches.get(key);
    if (found) {
      caches.delete(key); // re-insert: Map order doubles as recency
      found.invalidate();
    } else {
      found = new PhotoPageCache((offset, limit) => fetchPage(q, offset, limit), {
        onChange: () => version.value++,
        onError: (err) => notices.error(err, 'Could not load photos')
      });
    }
    caches.set(key, found);
    while (caches.size > KEPT_QUERIES) caches.delete(caches.keys().next().value as string);
    return found;
  }

  function setQuery(patch: Partial<PhotoQuery>): void {
    query.value = { ...query.value, ...patch };
    cache.value = cacheFor(query.value);
    version.value++;
  }

  /** Another project: nothing cached belongs to it. */
  function reset(): void {
    caches.clear();
    overrides.clear();
    idsMemo = null;
    cache.value = cacheFor(query.value);
    version.value++;
  }

  function itemAt(index: number): PhotoDto | undefined {
    void version.value;
    return cache.value.itemAt(index);
  }

  /** Pages for [start, end] of the current query; `viewer` is 'grid' or 'preview'. */
  function ensureRange(start: number, end: number, viewer = 'grid'): void {
    cache.value.ensureRange(start, end, viewer);
  }

  function release(viewer: string): void {
    cache.value.release(viewer);
  }

  /** Everything may have changed: refetch what is on screen, drop the rest. */
  function invalidate(): void {
    idsMemo = null;
    // Queries not on screen refetch when shown again (cacheFor), not now.
    for (const c of caches.values()) if (c !== cache.value) c.markStale();
    cache.value.invalidate();
    version.value++;
  }

  /** Shows a label change at once, before the main side confirms it; `source` 'model' for an accepted suggestion. */
  function patchLabels(ids: number[], classId: number | null, source: 'user' | 'model' = 'user'): void {
    if (overrides.size > 100_000) overrides.clear();
    for (const id of ids) overrides.set(id, { classId, source, confirmedAt: null });
    cache.value.patch(new Set(ids), { classId, labelSource: classId === null ? null : source });
    triggerRef(cache);
    version.value++;
  }

  /** Changes other fields of held photos at once (e.g. a suggestion turned down). */
  function patchPhotos(ids: number[], change: Partial<PhotoDto>): void {
    cache.value.patch(new Set(ids), change);
    triggerRef(cache);
    version.value++;
  }

  /**
   * Shows photos as the main side says they are now (a label change's delta), except those with
   * a label change of ours still unanswered: their tile already shows where they are going.
   */
  function applyPhotos(photos: PhotoDto[]): void {
    const settled = new Map(photos.filter((p) => overrides.get(p.id)?.confirmedAt !== null).map((p) => [p.id, p] as const));
    if (settled.size === 0 || cache.value.replace(settled) === 0) return;
    triggerRef(cache);
    version.value++;
  }

  /** The main side answered for these ids; pages requested from now on carry the truth. */
  function confirmLabels(ids: number[], ok: boolean): void {
    for (const id of ids) {
      if (!ok) overrides.delete(id);
      else {
        const o = overrides.get(id);
        if (o) o.confirmedAt = tick;
      }
    }
  }

  /** All ids of the current query, in grid order. */
  function allIds(): Promise<number[]> {
    const key = queryKey(query.value);
    if (idsMemo && idsMemo.key === key) return idsMemo.ids;
    const { filter, search, sort } = query.value;
    const ids = invoke('photos:ids', { filter, search: search.trim(), sort });
    idsMemo = { key, version: version.value, ids };
    ids.catch(() => (idsMemo = null));
    return ids;
  }

  /** All ids of the current query as the main side has them now (not remembered: after a change). */
  function freshIds(): Promise<number[]> {
    const { filter, search, sort } = query.value;
    return invoke('photos:ids', { filter, search: search.trim(), sort });
  }

  /** Ids of grid indices [from, to] from the held pages; throws {@link MissingPages} when they do not cover it. */
  function idsInRange(from: number, to: number): number[] {
    const ids: number[] = [];
    for (let i = from; i <= to; i++) {
      const item = cache.value.itemAt(i);
      if (!item) throw new MissingPages();
      ids.push(item.id);
    }
    return ids;
  }

  function indexOf(id: number): number {
    return cache.value.indexOf(id);
  }

  function heldRecords(): number {
    let n = 0;
    for (const c of caches.values()) n += c.heldRecords;
    return n;
  }

  return {
    query,
    version,
    total,
    loading,
    setQuery,
    reset,
    itemAt,
    ensureRange,
    release,
    invalidate,
    patchLabels,
    patchPhotos,
    applyPhotos,
    confirmLabels,
    allIds,
    freshIds,
    idsInRange,
    indexOf,
    heldRecords
  };
});
