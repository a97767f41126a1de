/**
 * The label history as the renderer sees it: Undo and Redo (toolbar, Ctrl+Z), and the Undo button
 * on the message of one bulk change, which undoes exactly that change or says why it cannot (the
 * main side checks that it is still the newest). Photos an undo or redo takes out of the view
 * leave the selection. The answer's delta updates counts and tiles in place (label-delta.ts).
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabelChangeResult } from '../../shared/dto';
import { invoke } from '../api';
import { labelMutations } from '../lib/mutation-queue';
import { applyLabelDelta } from './label-delta';
import { useNoticesStore } from './notices';
import { useSelectionStore } from './selection';

export const useHistoryStore = defineStore('history', () => {
  const notices = useNoticesStore();
  const selection = useSelectionStore();
  // Unknown until the first change answers (the history lives on the main side); offer both.
  const canUndo = ref(true);
  const canRedo = ref(true);

  function note(result: Pick<LabelChangeResult, 'canUndo' | 'canRedo'>): void {
    canUndo.value = result.canUndo;
    canRedo.value = result.canRedo;
  }

  function after(result: LabelChangeResult): LabelChangeResult {
    note(result);
    if (result.changed > 0) {
      // The answer's delta brings the counts and the changed photos; pages refetch only where the view depends on labels.
      applyLabelDelta(result.delta);
      void selection.pruneToQuery();
    }
    return result;
  }

  /** Ctrl+Z / Shift+Ctrl+Z: the newest change, whatever it was. */
  async function step(direction: 'undo' | 'redo'): Promise<LabelChangeResult | null> {
    try {
      return after(await labelMutations.run(() => invoke(direction === 'undo' ? 'labels:undo' : 'labels:redo')));
    } catch (err) {
      notices.error(err, direction === 'undo' ? 'Could not undo' : 'Could not redo');
      return null;
    }
  }

  /**
   * Undoes exactly the change `undoStep` names; `what` says it for the confirmation ("labeling 12
   * photos as ants"); `then` reloads what else the change touched (the classes, after a class delete).
   */
  async function undoChange(undoStep: number, what: string, then?: () => unknown): Promise<LabelChangeResult | null> {
    try {
      const result = after(await labelMutations.run(() => invoke('labels:undo', { step: undoStep })));
      notices.info(`Undone: ${what}.`);
      await then?.();
      return result;
    } catch (err) {
      notices.error(err, 'Could not undo');
      return null;
    }
  }

  /** Shows the message of a bulk change with an Undo button (none when nothing changed). */
  function announce(message: string, undoStep: number | null, what: string, then?: () => unknown): void {
    notices.info(message, undoStep === null ? undefined : { label: 'Undo', run: () => undoChange(undoStep, what, then) });
  }

  return { canUndo, canRedo, note, step, undoChange, announce };
});

/** "1 photo", "12 photos". */
export function photos(n: number): string {
  return `${new Intl.NumberFormat().format(n)} photo${n === 1 ? '' : 's'}`;
}
