/**
 * Labeling actions: assign or clear labels (sent at once, shown at once), undo/redo, and
 * the large preview with label-and-advance.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { LabelChangeResult, PhotoDto } from '../../shared/dto';
import { invoke } from '../api';
import { labelMutations } from '../lib/mutation-queue';
import { applyLabelDelta } from './label-delta';
import { useLibraryStore } from './library';
import { useNoticesStore } from './notices';
import { useSelectionStore } from './selection';
import { scheduleRefresh } from './sync';

export const useLabelingStore = defineStore('labeling', () => {
  const library = useLibraryStore();
  const selection = useSelectionStore();
  const notices = useNoticesStore();
  // Unknown until the first change answers (the history lives on the main side); offer both.
  const canUndo = ref(true);
  const canRedo = ref(true);
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

  function noteResult(result: LabelChangeResult): void {
    canUndo.value = result.canUndo;
    canRedo.value = result.canRedo;
  }

  /** Shows the change at once, then sends it (in order, after any change still in flight). */
  async function assign(photoIds: number[], classId: number | null): Promise<boolean> {
    if (photoIds.length === 0) return false;
    library.patchLabels(photoIds, classId);
    let result: LabelChangeResult | null = null;
    try {
      result = await labelMutations.run(() => invoke('labels:assign', { photoIds, classId }));
      noteResult(result);
      return true;
    } catch (err) {
      notices.error(err, 'The label was not saved');
      return false;
    } finally {
      library.confirmLabels(photoIds, result !== null);
      // The answer says what changed; only a failure needs everything fetched again.
      if (result) applyLabelDelta(result.delta);
      else scheduleRefresh();
    }
  }

  function labelSelection(classId: number | null): Promise<boolean> {
    return assign(selection.targets(), classId);
  }

  async function history(direction: 'undo' | 'redo'): Promise<void> {
    try {
      const result = await labelMutations.run(() => invoke(direction === 'undo' ? 'labels:undo' : 'labels:redo'));
      noteResult(result);
      applyLabelDelta(result.delta);
      if (result.changed === 0) notices.info(direction === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.');
    } catch (err) {
      notices.error(err, direction === 'undo' ? 'Could not undo' : 'Could not redo');
      scheduleRefresh();
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
    history,
    openPreview,
    closePreview,
    step,
    labelAndAdvance,
    actAndAdvance,
    resyncPreview
  };
});
