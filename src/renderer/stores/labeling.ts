/**
 * Labeling actions: assign or clear labels (sent at once, shown at once), undo/redo, and
 * the large preview with label-and-advance. Photos a label takes out of the view leave the
 * selection; a bulk change's message has Undo; an undo in the preview shows what it undid.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LabelChangeResult, PhotoDto } from '../../shared/dto';
import { invoke } from '../api';
import { labelMutations } from '../lib/mutation-queue';
import { useClassesStore } from './classes';
import { photos, useHistoryStore } from './history';
import { applyLabelDelta } from './label-delta';
import { useLibraryStore } from './library';
import { useNoticesStore } from './notices';
import { useSelectionStore } from './selection';
import { scheduleRefresh } from './refresh';

export const useLabelingStore = defineStore('labeling', () => {
  const library = useLibraryStore();
  const selection = useSelectionStore();
  const notices = useNoticesStore();
  const classes = useClassesStore();
  const changes = useHistoryStore();
  const canUndo = computed(() => changes.canUndo);
  const canRedo = computed(() => changes.canRedo);
  /** Grid index shown in the preview, or null when it is closed. */
  const previewIndex = ref<number | null>(null);
  /** Photo id the preview means to show; lets it find its photo again after a refetch. */
  const previewId = ref<number | null>(null);
  const previewPhoto = computed(() => {
    if (previewIndex.value === null) return undefined;
    const at = library.itemAt(previewIndex.value);
    if (!at || previewId.value === null || at.id === previewId.value) return at;
    const found = library.indexOf(previewId.value);
    return found >= 0 ? library.itemAt(found) : at;
  });

  /**
   * Shows the change at once, then sends it (in order, after any change still in flight). With
   * `announce`, its message offers Undo (a bulk change: the selection labeled or cleared).
   */
  async function assign(photoIds: number[], classId: number | null, announce = false): Promise<boolean> {
    if (photoIds.length === 0) return false;
    library.patchLabels(photoIds, classId);
    selection.changed(photoIds, { kind: 'label', classId, source: 'user' });
    let result: LabelChangeResult | null = null;
    try {
      result = await labelMutations.run(() => invoke('labels:assign', { photoIds, classId }));
      changes.note(result);
      if (announce && result.changed > 0) announceAssign(result, classId);
      return true;
    } catch (err) {
      notices.error(err, 'The label was not saved');
      return false;
    } finally {
      library.confirmLabels(photoIds, result !== null);
      // The answer says what changed; only a failure needs everything fetched again.
      if (result) applyLabelDelta(result.delta);
      else scheduleRefresh();
      void selection.pruneToQuery();
    }
  }

  function announceAssign(result: LabelChangeResult, classId: number | null): void {
    const n = photos(result.changed);
    const name = classId === null ? '' : (classes.byId.get(classId)?.name ?? 'the class');
    if (classId === null) changes.announce(`Cleared the label of ${n}.`, result.undoStep, `clearing the label of ${n}`);
    else changes.announce(`Labeled ${n} as ${name}.`, result.undoStep, `labeling ${n} as ${name}`);
  }

  /** A label key in the grid: the selection (announced with Undo when it is several photos), else the focused photo. */
  function labelSelection(classId: number | null): Promise<boolean> {
    const targets = selection.targets();
    return assign(targets, classId, targets.length > 1);
  }

  /** Ctrl+Z / Shift+Ctrl+Z; in the preview, it then shows the photo it changed (or says where it is). */
  async function undoRedo(direction: 'undo' | 'redo'): Promise<void> {
    const result = await changes.step(direction);
    if (!result) return scheduleRefresh();
    if (result.changed === 0) notices.info(direction === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
    else if (previewIndex.value !== null) await showChanged(result, direction === 'undo' ? 'Undone' : 'Redone');
  }

  /** After an undo in the preview: moves to the photo it changed when the view lists it, and says what happened either way. */
  async function showChanged(result: LabelChangeResult, done: string): Promise<void> {
    const id = result.photoIds[0];
    try {
      const [photo, ids] = await Promise.all([invoke('photos:get', { id }), library.freshIds()]);
      const label = photo.classId === null ? 'unlabeled' : `labeled ${classes.byId.get(photo.classId)?.name ?? 'with a class'}`;
      const more = result.changed > 1 ? ` (and ${photos(result.changed - 1)} more)` : '';
      const index = ids.indexOf(id);
      if (index >= 0 && previewIndex.value !== null) {
        previewIndex.value = index;
        previewId.value = id;
        library.ensureRange(Math.max(0, index - 1), index + 2, 'preview');
        selection.setFocus(index);
        notices.info(`${done}: ${photo.name}${more} is ${label} again — showing it.`);
      } else {
        notices.info(`${done}: ${photo.name}${more} is ${label} again; it is not in this view.`);
      }
    } catch (err) {
      notices.error(err, `${done}, but the photo could not be shown`);
    }
  }

  function openPreview(index: number): void {
    const item = library.itemAt(index);
    if (!item) return;
    previewIndex.value = index;
    previewId.value = item.id;
    selection.setFocus(index);
  }

  function closePreview(): void {
    if (previewIndex.value !== null) selection.setFocus(previewIndex.value);
    previewIndex.value = null;
    previewId.value = null;
    library.release('preview');
  }

  function step(delta: number): void {
    if (previewIndex.value === null) return;
    const next = Math.min(library.total - 1, Math.max(0, previewIndex.value + delta));
    previewIndex.value = next;
    previewId.value = library.itemAt(next)?.id ?? null;
    library.ensureRange(Math.max(0, next - 1), next + 2, 'preview');
    selection.setFocus(next);
  }

  /**
   * Labels the previewed photo and shows the next one in the filter, without waiting for the
   * round trip: the next key press must already land on the next photo.
   */
  function labelAndAdvance(classId: number | null): void {
    actAndAdvance((photo) => assign([photo.id], classId));
  }

  /** Runs an action on the previewed photo (label, accept or turn down a suggestion) and moves on. */
  function actAndAdvance(act: (photo: PhotoDto) => Promise<unknown>): void {
    const index = previewIndex.value;
    const photo = previewPhoto.value;
    if (index === null || !photo) return;
    const next = library.itemAt(index + 1);
    void act(photo);
    if (index + 1 >= library.total) return;
    // If the label takes the photo out of the filter (e.g. Unlabeled), the next photo slides
    // into this index after the refetch; resyncPreview follows it by id. A next photo whose
    // page has not landed yet is shown by index once it does.
    previewId.value = next?.id ?? null;
    previewIndex.value = index + 1;
    library.ensureRange(index, index + 3, 'preview');
  }

  /** After a refetch, keep the preview on the photo it meant to show. */
  function resyncPreview(): void {
    if (previewIndex.value === null || previewId.value === null) return;
    if (library.itemAt(previewIndex.value)?.id === previewId.value) return;
    const found = library.indexOf(previewId.value);
    if (found >= 0) previewIndex.value = found;
  }

  return {
    canUndo,
    canRedo,
    previewIndex,
    previewPhoto,
    assign,
    labelSelection,
    history: undoRedo,
    openPreview,
    closePreview,
    step,
    labelAndAdvance,
    actAndAdvance,
    resyncPreview
  };
});
