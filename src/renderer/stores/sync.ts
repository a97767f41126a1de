/**
 * Keeps what the renderer shows in step with the main side: pushed events and our own changes
 * both end in one coalesced refresh (refresh.ts) of the visible pages, the classes and counts;
 * this store says what that refresh does, and reloads everything when the project changes. Its
 * state lives in the Pinia instance, so a new Pinia starts afresh.
 */
import { defineStore } from 'pinia';
import { on } from '../api';
import { useClassesStore } from './classes';
import { applyLabelDelta, useLabelDeltaStore } from './label-delta';
import { useLabelingStore } from './labeling';
import { useLibraryStore } from './library';
import { useNavigationStore } from './navigation';
import { useProjectStore } from './project';
import { scheduleRefresh, useRefreshStore } from './refresh';
import { useSelectionStore } from './selection';
import { useSuggestionsStore } from './suggestions';
import { useTrainingStore } from './training';
import { useWeightsStore } from './weights';

export { scheduleRefresh };

/** Counting the training photos reads every photo: only worth it while the Train view shows them. */
function trainingPlanIfShown(): Promise<void> {
  return useNavigationStore().view === 'train' ? useTrainingStore().refreshPlan() : Promise.resolve();
}

async function refreshNow(): Promise<void> {
  const deltas = useLabelDeltaStore();
  const seq = deltas.seq();
  const library = useLibraryStore();
  library.invalidate();
  const project = useProjectStore();
  await Promise.all([useClassesStore().load(), project.refreshStats(), project.refreshFolders()]);
  // After the classes: the counts are asked per class.
  await Promise.all([useSuggestionsStore().refreshCounts(), trainingPlanIfShown()]);
  // Another window (or the CLI) changed labels while these were read: answers read before that
  // change must not win over its delta. Its counts go back on, and one more refresh reads the rest.
  if (deltas.seq() !== seq) {
    deltas.reapplyCounts();
    scheduleRefresh();
  }
}

export const useSyncStore = defineStore('sync', () => {
  const refresh = useRefreshStore();
  refresh.setWork(refreshNow);
  /** The project file the renderer's caches (pages, selection) hold photos of; null before the first load. */
  let cachedFor: string | null = null;

  /**
   * Reloads what depends on the project. When the open project is another file than before
   * (New/Open here or in the menu) everything cached is dropped; otherwise (start, Try again, a
   * second notice of the same change) what is shown is refreshed in place, without blanking it.
   */
  async function reloadAll(): Promise<void> {
    const project = useProjectStore();
    const library = useLibraryStore();
    const first = cachedFor === null;
    // Ask for the first photos together with the counts instead of after the first render.
    await project.load(() => {
      if (first) library.ensureRange(0, 100);
    });
    const now = project.project?.path ?? null;
    const switched = !first && now !== cachedFor;
    cachedFor = now;
    if (switched) {
      useSelectionStore().reset();
      useLabelingStore().closePreview();
      library.reset();
    } else if (!first) {
      library.invalidate();
    }
    await useClassesStore().load();
    const training = useTrainingStore();
    if (!project.project) return training.loadEngine();
    await Promise.all([training.loadEngine(), training.loadRuns(), useSuggestionsStore().refreshCounts(), trainingPlanIfShown()]);
  }

  /** Subscribes to the main side's events; returns the unsubscribe function. */
  function start(): () => void {
    const project = useProjectStore();
    const training = useTrainingStore();
    const weights = useWeightsStore();
    const offs = [
      on('import:progress', (p) => project.setProgress(p)),
      // A label change brings its delta: applied in place, nothing refetched.
      on('library:changed', (e) => (e.delta ? applyLabelDelta(e.delta) : refresh.schedule())),
      on('project:changed', () => void reloadAll()),
      on('training:progress', (p) => training.onProgress(p)),
      on('models:download-progress', (p) => weights.onDownloadProgress(p)),
      on('models:download-finished', (f) => void weights.onDownloadFinished(f)),
      on('training:finished', (f) => {
        void training.onFinished(f);
        // New predictions are new suggestions on the thumbnails.
        refresh.schedule();
      })
    ];
    return () => {
      offs.forEach((off) => off());
      refresh.stop();
    };
  }

  return { reloadAll, start };
});

/** Reloads what depends on the project (see useSyncStore). */
export function reloadAll(): Promise<void> {
  return useSyncStore().reloadAll();
}

/** Subscribes to the main side's events; returns the unsubscribe function. */
export function startSync(): () => void {
  return useSyncStore().start();
}
