/**
 * Label changes applied in place (issue 16). Every label change answers with a LabelDelta, and
 * 'library:changed' carries the same one to every window: the counts it moved and the changed
 * photos as they are now. Applying it costs no request; only a grid whose filter or order
 * depends on labels (Unlabeled, a class, suggestions, sort by class) refetches its visible pages,
 * and refetches arriving at keyboard speed are coalesced into one. A delta older than the last
 * one applied (an event overtaken by a later answer) is ignored.
 */
import { defineStore } from 'pinia';
import type { PhotoFilter, PhotoSort } from '../../shared/contract';
import type { LabelCounts, LabelDelta } from '../../shared/dto';
import { useLibraryStore } from './library';
import { useNavigationStore } from './navigation';
import { useProjectStore } from './project';
import { useTrainingStore } from './training';

/** Refetches asked for within this window make one, ms. */
const REFETCH_COALESCE_MS = 30;

/** Filters whose photos, or orders whose sequence, a label change alters. */
export function dependsOnLabels(filter: PhotoFilter, sort: PhotoSort): boolean {
  return sort === 'class' || ['unlabeled', 'labeled', 'accepted', 'class', 'suggested', 'uncertain'].includes(filter.kind);
}

export const useLabelDeltaStore = defineStore('label-delta', () => {
  let lastSeq = 0;
  /** The counts of the newest delta applied: the newest label counts this window knows. */
  let lastCounts: LabelCounts | null = null;
  let refetch: ReturnType<typeof setTimeout> | null = null;
  /** A delta came without its photos: the held pages must be fetched again whatever the filter. */
  let pagesStale = false;
  const countListeners = new Set<(counts: LabelCounts) => void>();

  /** Other stores keep counts of their own (classes, suggestions); they hear every applied delta's counts. */
  function onCounts(listener: (counts: LabelCounts) => void): () => void {
    countListeners.add(listener);
    return () => countListeners.delete(listener);
  }

  function apply(delta: LabelDelta): void {
    if (delta.seq <= lastSeq) return;
    lastSeq = delta.seq;
    lastCounts = delta.counts;
    applyCounts(delta.counts);
    const library = useLibraryStore();
    // Too many photos changed to carry: what is on screen is fetched again instead.
    if (delta.photos === null) pagesStale = true;
    else library.applyPhotos(delta.photos);
    const { filter, sort } = library.query;
    if (pagesStale || dependsOnLabels(filter, sort) || useNavigationStore().view === 'train') scheduleRefetch();
  }

  function applyCounts(counts: LabelCounts): void {
    const project = useProjectStore();
    if (project.stats) project.stats = counts.stats;
    for (const listener of countListeners) listener(counts);
  }

  /** The visible pages (and the Train view's plan) again, once per burst of changes. */
  function scheduleRefetch(): void {
    if (refetch) return;
    refetch = setTimeout(() => {
      refetch = null;
      const library = useLibraryStore();
      if (pagesStale || dependsOnLabels(library.query.filter, library.query.sort)) library.invalidate();
      pagesStale = false;
      if (useNavigationStore().view === 'train') void useTrainingStore().refreshPlan();
    }, REFETCH_COALESCE_MS);
  }

  /** The newest delta applied so far (0 before any): a refresh compares it before and after reading. */
  function seq(): number {
    return lastSeq;
  }

  /**
   * Applies the newest delta's counts again: a refresh that read the counts while that delta
   * arrived may have overwritten them with older ones (read before the change was made).
   */
  function reapplyCounts(): void {
    if (lastCounts) applyCounts(lastCounts);
  }

  /** Stops a refetch that is only scheduled (the app is going away). */
  function stop(): void {
    if (refetch) clearTimeout(refetch);
    refetch = null;
  }

  return { apply, onCounts, seq, reapplyCounts, stop };
});

/** Applies a label change's delta (see useLabelDeltaStore). */
export function applyLabelDelta(delta: LabelDelta): void {
  useLabelDeltaStore().apply(delta);
}
