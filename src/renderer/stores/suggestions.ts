/**
 * The active model's suggestions for unlabeled photos: how many there are per class (for the
 * sidebar), accepting them (one, a selection, or all above a confidence) and turning them down.
 * Accepted suggestions become labels with source 'model' and can be undone like any label.
 * "Update suggestions" predicts every unlabeled photo again with the active model (photos
 * imported after it was trained have none yet), without training again.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PhotoDto } from '../../shared/dto';
import { ApiError, invoke } from '../api';
import { labelMutations } from '../lib/mutation-queue';
import { useClassesStore } from './classes';
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

/** A re-predict this window started and that has not answered yet. */
export interface SuggestionUpdate {
  /** The run whose model predicts. */
  runId: number;
  /** Cancel was pressed; the answer (CANCELLED, or the result if it came first) is pending. */
  cancelling: boolean;
}

function updatedText(runId: number, predicted: number): string {
  if (predicted === 0) return 'Suggestions updated: there are no unlabeled photos to suggest for.';
  return `Suggestions updated: ${predicted} unlabeled photo${predicted === 1 ? '' : 's'} got a suggestion from run ${runId}’s model.`;
}

export const useSuggestionsStore = defineStore('suggestions', () => {
  const notices = useNoticesStore();
  const library = useLibraryStore();
  const counts = ref<SuggestionCounts>({ total: 0, byClass: {} });
  const updating = ref<SuggestionUpdate | null>(null);

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
    let ok = false;
    try {
      const result = await labelMutations.run(() => invoke('predictions:accept', { photoIds: ids }));
      ok = true;
      return result.accepted;
    } catch (err) {
      notices.error(err, 'The suggestion was not accepted');
      return 0;
    } finally {
      library.confirmLabels(ids, ok);
      scheduleRefresh();
      void refreshCounts();
    }
  }

  async function reject(ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    library.patchPhotos(ids, { suggestion: null });
    try {
      return (await invoke('predictions:reject', { photoIds: ids })).rejected;
    } catch (err) {
      notices.error(err, 'Could not turn the suggestion down');
      return 0;
    } finally {
      scheduleRefresh();
      void refreshCounts();
    }
  }

  /** Accepts every suggestion of the active model at or above `minConfidence` (0–1). */
  async function acceptAbove(minConfidence: number): Promise<number> {
    try {
      const result = await labelMutations.run(() => invoke('predictions:accept', { minConfidence }));
      notices.info(result.accepted === 0
        ? `No suggestion is at ${Math.round(minConfidence * 100)}% or more.`
        : `Accepted ${result.accepted} suggestion${result.accepted === 1 ? '' : 's'} at ${Math.round(minConfidence * 100)}% or more.`);
      return result.accepted;
    } catch (err) {
      notices.error(err, 'Could not accept the suggestions');
      return 0;
    } finally {
      scheduleRefresh();
      void refreshCounts();
    }
  }

  /**
   * Predicts every unlabeled photo again with the active model. The main side writes the new
   * predictions only once all are through, so a cancel or a failure keeps the previous ones.
   * The training process sends no progress for this to the renderer: the state is just "busy".
   */
  async function update(): Promise<void> {
    const training = useTrainingStore();
    const runId = training.activeRun?.id;
    if (runId === undefined || updating.value || training.running || training.starting) return;
    updating.value = { runId, cancelling: false };
    try {
      const result = await invoke('training:predict', { runId });
      notices.info(updatedText(result.runId, result.predictions));
      scheduleRefresh();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CANCELLED') notices.info('Update cancelled: the previous suggestions are kept.');
      else notices.error(err, 'Could not update the suggestions');
    } finally {
      updating.value = null;
    }
  }

  /** Stops the update; {@link update} then reports how it ended. */
  async function cancelUpdate(): Promise<void> {
    const current = updating.value;
    if (!current || current.cancelling) return;
    current.cancelling = true;
    try {
      // Named by its run, so a cancel that arrives late can never stop a training run started since.
      await invoke('training:cancel', { runId: current.runId });
    } catch (err) {
      if (updating.value === current) current.cancelling = false;
      notices.error(err, 'Could not cancel the update');
    }
  }

  return { counts, updating, refreshCounts, accept, reject, acceptAbove, update, cancelUpdate };
});
