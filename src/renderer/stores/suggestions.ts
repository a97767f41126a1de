/**
 * The active model's suggestions for unlabeled photos: how many there are per class (for the
 * sidebar), accepting them (one, a selection, or all above a confidence) and turning them down.
 * Accepted suggestions become labels with source 'model' and can be undone like any label.
 * "Update suggestions" predicts every unlabeled photo again with the active model (photos
 * imported after it was trained have none yet), without training again. Every window follows a
 * re-predict, whichever started it: 'training:busy' at start, then 'predictions:progress' and
 * 'predictions:finished'.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabelDelta, PhotoDto, PredictionFinished, PredictionProgress } from '../../shared/dto';
import { ApiError, invoke, on } from '../api';
import { labelMutations } from '../lib/mutation-queue';
import { useClassesStore } from './classes';
import { applyLabelDelta, useLabelDeltaStore } from './label-delta';
import { useLibraryStore } from './library';
import { useNoticesStore } from './notices';
import { scheduleRefresh } from './sync';
import { useTrainingStore } from './training';

export interface SuggestionCounts {
  total: number;
  /** Class id → unlabeled photos suggested as it. */
  byClass: Record<number, number>;
}

/** True when the photo shows a suggestion that Enter accepts and 0 turns down. */
export function showsSuggestion(photo: PhotoDto | undefined): photo is PhotoDto & { suggestion: NonNullable<PhotoDto['suggestion']> } {
  return photo !== undefined && photo.classId === null && photo.suggestion !== undefined && photo.suggestion !== null;
}

/** A re-predict in progress: one this window started and that has not answered yet, or one another window (or this page before a reload) started. */
export interface SuggestionUpdate {
  /** The run whose model predicts. */
  runId: number;
  /** Cancel was pressed; the answer (CANCELLED, or the result if it came first) is pending. */
  cancelling: boolean;
  /** The latest progress report; null until the first arrives. */
  progress: PredictionProgress | null;
  /** This window started it: the invoke answer says how it ended. Otherwise 'predictions:finished' does. */
  own: boolean;
}

const CANCELLED_TEXT = 'Update cancelled: the previous suggestions are kept.';

function updatedText(runId: number, predicted: number): string {
  if (predicted === 0) return 'Suggestions updated: there are no unlabeled photos to suggest for.';
  return `Suggestions updated: ${predicted} unlabeled photo${predicted === 1 ? '' : 's'} got a suggestion from run ${runId}’s model.`;
}

export const useSuggestionsStore = defineStore('suggestions', () => {
  const notices = useNoticesStore();
  const library = useLibraryStore();
  const counts = ref<SuggestionCounts>({ total: 0, byClass: {} });
  const updating = ref<SuggestionUpdate | null>(null);
  /** The run of this window's last answered re-predict: its events may trail the answer (HTTP) and are no new one. */
  let answeredRunId: number | null = null;
  /** 'predictions:finished' events seen, so a 'training:busy' answer overtaken by one is not trusted. */
  let finishes = 0;

  // A label change's answer and event bring these counts; they are asked for only after other changes.
  useLabelDeltaStore().onCounts((c) => (counts.value = c.suggestions));

  /** Applies a change's answer, or fetches everything again when it failed. */
  function settle(delta: LabelDelta | null): void {
    if (delta) applyLabelDelta(delta);
    else {
      scheduleRefresh();
      void refreshCounts();
    }
  }

  async function refreshCounts(): Promise<void> {
    try {
      const classes = useClassesStore().ordered;
      const [all, ...perClass] = await Promise.all([
        invoke('predictions:list', { limit: 1 }),
        ...classes.map((c) => invoke('predictions:list', { classId: c.id, limit: 1 }))
      ]);
      counts.value = { total: all.total, byClass: Object.fromEntries(classes.map((c, i) => [c.id, perClass[i].total])) };
    } catch (err) {
      notices.error(err, 'Could not count the suggestions');
    }
  }

  /**
   * Accepts the suggestions of these photos. Those on screen show their label at once (grouped
   * by suggested class); the main side accepts only photos that still have one.
   */
  async function accept(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const byClass = new Map<number, number[]>();
    for (const id of ids) {
      const photo = library.itemAt(library.indexOf(id));
      if (showsSuggestion(photo)) byClass.set(photo.suggestion.classId, [...(byClass.get(photo.suggestion.classId) ?? []), id]);
    }
    for (const [classId, shown] of byClass) library.patchLabels(shown, classId);
    let delta: LabelDelta | null = null;
    try {
      const result = await labelMutations.run(() => invoke('predictions:accept', { photoIds: ids }));
      delta = result.delta;
      return result.accepted;
    } catch (err) {
      notices.error(err, 'The suggestion was not accepted');
      return 0;
    } finally {
      library.confirmLabels(ids, delta !== null);
      settle(delta);
    }
  }

  async function reject(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    library.patchPhotos(ids, { suggestion: null });
    let delta: LabelDelta | null = null;
    try {
      const result = await invoke('predictions:reject', { photoIds: ids });
      delta = result.delta;
      return result.rejected;
    } catch (err) {
      notices.error(err, 'Could not turn the suggestion down');
      return 0;
    } finally {
      settle(delta);
    }
  }

  /** Accepts every suggestion of the active model at or above `minConfidence` (0–1). */
  async function acceptAbove(minConfidence: number): Promise<number> {
    let delta: LabelDelta | null = null;
    try {
      const result = await labelMutations.run(() => invoke('predictions:accept', { minConfidence }));
      delta = result.delta;
      notices.info(
        result.accepted === 0
          ? `No suggestion is at ${Math.round(minConfidence * 100)}% or more.`
          : `Accepted ${result.accepted} suggestion${result.accepted === 1 ? '' : 's'} at ${Math.round(minConfidence * 100)}% or more.`
      );
      return result.accepted;
    } catch (err) {
      notices.error(err, 'Could not accept the suggestions');
      return 0;
    } finally {
      settle(delta);
    }
  }

  /**
   * Predicts every unlabeled photo again with the active model. The main side writes the new
   * predictions only once all are through, so a cancel or a failure keeps the previous ones.
   * Progress arrives as 'predictions:progress' events; the invoke answer says how it ended.
   */
  async function update(): Promise<void> {
    const training = useTrainingStore();
    const runId = training.activeRun?.id;
    if (runId === undefined || updating.value || training.running || training.starting) return;
    updating.value = { runId, cancelling: false, progress: null, own: true };
    try {
      const result = await invoke('training:predict', { runId });
      notices.info(updatedText(result.runId, result.predictions));
      scheduleRefresh();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CANCELLED') notices.info(CANCELLED_TEXT);
      else notices.error(err, 'Could not update the suggestions');
    } finally {
      updating.value = null;
      answeredRunId = runId;
    }
  }

  /** Stops the update; {@link update} then reports how it ended. */
  async function cancelUpdate(): Promise<void> {
    const current = updating.value;
    if (!current || current.cancelling) return;
    current.cancelling = true;
    try {
      // Named by its run, so a cancel that arrives late can never stop a training run started since.
      const { cancelled } = await invoke('training:cancel', { runId: current.runId });
      // Not ours and not running any more: its end went by unheard.
      if (!cancelled && !current.own && updating.value === current) updating.value = null;
    } catch (err) {
      if (updating.value === current) current.cancelling = false;
      notices.error(err, 'Could not cancel the update');
    }
  }

  function onProgress(progress: PredictionProgress): void {
    const current = updating.value;
    if (current) {
      if (current.runId === progress.runId) current.progress = progress;
      return;
    }
    // A new re-predict always starts with 'loading'; anything else of the run just answered is a straggler.
    if (progress.runId === answeredRunId && progress.phase !== 'loading') return;
    answeredRunId = null;
    updating.value = { runId: progress.runId, cancelling: false, progress, own: false };
  }

  /** Ends a re-predict another window started; this window's own end with their invoke answer. */
  function onFinished(finished: PredictionFinished): void {
    finishes += 1;
    const current = updating.value;
    if (!current || current.own || current.runId !== finished.runId) return;
    updating.value = null;
    if (finished.status === 'completed') {
      notices.info(updatedText(finished.runId, finished.predictions ?? 0));
      scheduleRefresh();
    } else if (finished.status === 'cancelled') {
      notices.info(CANCELLED_TEXT);
    } else {
      notices.error(finished.error ?? 'The re-predict failed.', 'Could not update the suggestions');
    }
  }

  /** Shows a re-predict that was running before this page loaded (another window, or before a reload). */
  async function discoverRunning(): Promise<void> {
    const seen = finishes;
    try {
      const busy = await invoke('training:busy');
      if (busy.kind !== 'predicting' || busy.runId === null || updating.value || finishes !== seen) return;
      updating.value = { runId: busy.runId, cancelling: false, progress: null, own: false };
    } catch (err) {
      notices.error(err, 'Could not tell whether suggestions are being updated');
    }
  }

  // The store lives as long as the page: it follows re-predicts from the start.
  on('predictions:progress', onProgress);
  on('predictions:finished', onFinished);
  void discoverRunning();

  return { counts, updating, refreshCounts, accept, reject, acceptAbove, update, cancelUpdate };
});
