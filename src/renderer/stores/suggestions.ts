/**
 * The active model's suggestions for unlabeled photos: how many there are per class (for the
 * sidebar), accepting them (one, a selection, or all above a confidence) and turning them down.
 * Accepted suggestions become labels with source 'model' and can be undone like any label.
 * "Update suggestions" predicts every unlabeled photo again with the active model (photos
 * imported after it was trained have none yet), without training again. 'training:predict'
 * answers at once; every window, whichever started it, follows a re-predict by its events:
 * 'training:busy' at start, then 'predictions:progress' and 'predictions:finished'.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabelDelta, PhotoDto, PredictionFinished, PredictionProgress } from '../../shared/dto';
import { invoke, on } from '../api';
import { labelMutations } from '../lib/mutation-queue';
import { useClassesStore } from './classes';
import { photos, useHistoryStore } from './history';
import { applyLabelDelta, useLabelDeltaStore } from './label-delta';
import { useLibraryStore } from './library';
import { useNoticesStore } from './notices';
import { scheduleRefresh } from './refresh';
import { useSelectionStore } from './selection';
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

/** A re-predict in progress: one this window started, or one another window (or this page before a reload) started. */
export interface SuggestionUpdate {
  /** The run whose model predicts. */
  runId: number;
  /** Cancel was pressed; its end ('predictions:finished', cancelled, or completed if that came first) is pending. */
  cancelling: boolean;
  /** The latest progress report; null until the first arrives. */
  progress: PredictionProgress | null;
  /** This window started it (so it surely hears its end); otherwise it may have ended unheard. */
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
  const selection = useSelectionStore();
  const changes = useHistoryStore();
  const counts = ref<SuggestionCounts>({ total: 0, byClass: {} });
  const updating = ref<SuggestionUpdate | null>(null);
  /** The run of the last re-predict that ended: a report of it arriving after its end is no new one. */
  let endedRunId: number | null = null;
  /** 'predictions:finished' events seen, so a 'training:busy' answer overtaken by one is not trusted. */
  let finishes = 0;

  /** Suggestions in all and per class; with `minConfidence`, only those at least that sure (what accept-all would label). */
  async function countSuggestions(minConfidence?: number): Promise<SuggestionCounts> {
    const classes = useClassesStore().ordered;
    const [all, ...perClass] = await Promise.all([
      invoke('predictions:list', { limit: 1, minConfidence }),
      ...classes.map((c) => invoke('predictions:list', { classId: c.id, limit: 1, minConfidence }))
    ]);
    return { total: all.total, byClass: Object.fromEntries(classes.map((c, i) => [c.id, perClass[i].total])) };
  }

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
      counts.value = await countSuggestions();
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
    for (const [classId, shown] of byClass) {
      library.patchLabels(shown, classId, 'model');
      selection.changed(shown, { kind: 'label', classId, source: 'model' });
    }
    let delta: LabelDelta | null = null;
    try {
      const result = await labelMutations.run(() => invoke('predictions:accept', { photoIds: ids }));
      delta = result.delta;
      if (result.undoStep !== null) changes.note({ canUndo: true, canRedo: false });
      if (ids.length > 1 && result.accepted > 0) {
        const n = photos(result.accepted);
        changes.announce(`Accepted the suggestions for ${n}.`, result.undoStep, `accepting the suggestions for ${n}`);
      }
      return result.accepted;
    } catch (err) {
      notices.error(err, 'The suggestion was not accepted');
      return 0;
    } finally {
      library.confirmLabels(ids, delta !== null);
      settle(delta);
      void selection.pruneToQuery();
    }
  }

  async function reject(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    library.patchPhotos(ids, { suggestion: null });
    selection.changed(ids, { kind: 'reject' });
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
      void selection.pruneToQuery();
    }
  }

  /** Accepts every suggestion of the active model at or above `minConfidence` (0–1). */
  async function acceptAbove(minConfidence: number): Promise<number> {
    let delta: LabelDelta | null = null;
    try {
      const result = await labelMutations.run(() => invoke('predictions:accept', { minConfidence }));
      delta = result.delta;
      const percent = Math.round(minConfidence * 100);
      if (result.accepted === 0) notices.info(`No suggestion is at ${percent}% or more.`);
      else {
        changes.note({ canUndo: true, canRedo: false });
        const n = photos(result.accepted);
        changes.announce(
          `Labeled ${n} with the model’s suggestions at ${percent}% or more.`,
          result.undoStep,
          `accepting the suggestions for ${n}`
        );
      }
      return result.accepted;
    } catch (err) {
      notices.error(err, 'Could not accept the suggestions');
      return 0;
    } finally {
      settle(delta);
      void selection.pruneToQuery();
    }
  }

  /**
   * Predicts every unlabeled photo again with the active model. The main side writes the new
   * predictions only once all are through, so a cancel or a failure keeps the previous ones.
   * The invoke answers at once; 'predictions:progress' and 'predictions:finished' tell the rest.
   */
  async function update(): Promise<void> {
    const training = useTrainingStore();
    const runId = training.activeRun?.id;
    if (runId === undefined || updating.value || training.running || training.starting) return;
    const mine: SuggestionUpdate = { runId, cancelling: false, progress: null, own: true };
    updating.value = mine;
    try {
      await invoke('training:predict', { runId });
    } catch (err) {
      // Refused (busy, no model): nothing started, so no end will be announced.
      if (updating.value === mine) updating.value = null;
      notices.error(err, 'Could not update the suggestions');
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
      // Not ours and not running any more: its end went by unheard (ours is always heard).
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
    // A new re-predict always starts with 'loading'; anything else of the run just ended is a straggler.
    if (progress.runId === endedRunId && progress.phase !== 'loading') return;
    endedRunId = null;
    updating.value = { runId: progress.runId, cancelling: false, progress, own: false };
  }

  /**
   * Says how many photos have a suggestion now, counted like the sidebar: a photo whose suggested
   * class was turned down was predicted again but offers nothing, so it is not among them.
   */
  async function announceUpdated(runId: number, predicted: number): Promise<void> {
    if (predicted > 0) await refreshCounts();
    notices.info(updatedText(runId, predicted === 0 ? 0 : counts.value.total));
  }

  /** Ends the re-predict shown, whichever window started it, and says how it ended. */
  function onFinished(finished: PredictionFinished): void {
    finishes += 1;
    endedRunId = finished.runId;
    const current = updating.value;
    if (!current || current.runId !== finished.runId) return;
    updating.value = null;
    if (finished.status === 'completed') {
      void announceUpdated(finished.runId, finished.predictions ?? 0);
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

  return { counts, updating, countSuggestions, refreshCounts, accept, reject, acceptAbove, update, cancelUpdate };
});
