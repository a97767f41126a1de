import type { LabelChangeResult } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { deleteClass, findClassByName, getClass, restoreClass, type ClassRecord } from '../db/class-repository';
import { currentLabels, writeLabels, type Label, type LabelWrite } from '../db/label-repository';

/** Undo steps kept per open project; older ones fall off. */
export const MAX_UNDO_STEPS = 200;

/** A label change as the history reports it; the handlers add the delta for the answer. */
export type LabelChange = Omit<LabelChangeResult, 'delta'>;

/** One user action: every photo it touched, with its label before and after. */
export interface LabelStep {
  before: LabelWrite[];
  after: LabelWrite[];
  /** A class the action deleted (class delete, merge): undo puts it back before the labels; redo deletes it again. */
  removedClass?: ClassRecord;
}

interface RecordedStep extends LabelStep {
  /** Names the step for a guarded undo ("undo exactly this change"). */
  id: number;
}

/** In-memory undo/redo of label changes (and the class deletes and merges behind them) for the open project. */
export class LabelHistory {
  private undoStack: RecordedStep[] = [];
  private redoStack: RecordedStep[] = [];
  private nextId = 1;

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** The step an undo would revert now, or null. */
  get undoStep(): number | null {
    return this.undoStack.at(-1)?.id ?? null;
  }

  record(step: LabelStep): number {
    const id = this.nextId++;
    this.undoStack.push({ ...step, id });
    if (this.undoStack.length > MAX_UNDO_STEPS) this.undoStack.shift();
    this.redoStack = [];
    return id;
  }

  /**
   * Reverts the newest step. With `expected` (an Undo button on one change's message) it reverts
   * only that step: when another change came after it, nothing is undone and CONFLICT says so.
   */
  undo(db: Database, expected?: number): LabelChange {
    if (expected !== undefined && this.undoStep !== expected) {
      throw new AppError(
        'CONFLICT',
        this.undoStack.some((s) => s.id === expected)
          ? 'That change is no longer the last one: undo the later changes first (Ctrl+Z steps back one change at a time).'
          : 'That change can no longer be undone (it was undone already, or too many changes came after it).'
      );
    }
    const step = this.undoStack.pop();
    if (!step) return this.result([]);
    try {
      db.transaction(() => {
        if (step.removedClass) this.putClassBack(db, step);
        writeLabels(db, step.before);
      })();
    } catch (err) {
      this.undoStack.push(step);
      throw err;
    }
    this.redoStack.push(step);
    return this.result(step.before.map((w) => w.photoId));
  }

  redo(db: Database): LabelChange {
    const step = this.redoStack.pop();
    if (!step) return this.result([]);
    db.transaction(() => {
      writeLabels(db, step.after);
      if (step.removedClass) deleteClass(db, step.removedClass.id);
    })();
    this.undoStack.push(step);
    return this.result(step.after.map((w) => w.photoId));
  }

  /** What a change did, for its answer: the photos it touched and where the history stands. */
  result(photoIds: number[]): LabelChange {
    return { changed: photoIds.length, photoIds, canUndo: this.canUndo, canRedo: this.canRedo, undoStep: this.undoStep };
  }

  /**
   * Recreates a deleted class where it was. Its id is kept when still free; otherwise it gets a
   * new one and every remembered step follows (they name classes by id).
   */
  private putClassBack(db: Database, step: RecordedStep): void {
    const cls = step.removedClass as ClassRecord;
    if (findClassByName(db, cls.name)) {
      throw new AppError('CONFLICT', `Cannot undo: a class named “${cls.name}” exists again. Rename it, then undo.`);
    }
    const hotkeyTaken = cls.hotkey !== null && db.prepare('SELECT 1 FROM classes WHERE hotkey = ?').get(cls.hotkey) !== undefined;
    const id = restoreClass(db, { ...cls, hotkey: hotkeyTaken ? null : cls.hotkey });
    if (id !== cls.id) this.remapClass(cls.id, id, step);
    if (!getClass(db, id)) throw new AppError('INTERNAL', `Class ${cls.name} could not be restored.`);
  }

  /** `popped`: the step being undone, off both stacks while it runs. */
  private remapClass(from: number, to: number, popped: RecordedStep): void {
    const map = (w: LabelWrite): LabelWrite => (w.label?.classId === from ? { ...w, label: { ...w.label, classId: to } } : w);
    for (const s of [popped, ...this.undoStack, ...this.redoStack]) {
      s.before = s.before.map(map);
      s.after = s.after.map(map);
      if (s.removedClass?.id === from) s.removedClass = { ...s.removedClass, id: to };
    }
  }
}

/**
 * Labels many photos with `classId` (null clears) in one transaction, as a user action that can
 * be undone. Photos already carrying that user label are left alone and not counted.
 */
export function assignLabels(db: Database, history: LabelHistory, photoIds: readonly number[], classId: number | null): LabelChange {
  if (classId !== null && !getClass(db, classId)) throw new AppError('NOT_FOUND', `Class ${classId} does not exist.`);
  const unique = [...new Set(photoIds)];
  const current = currentLabels(db, unique);
  const missing = unique.filter((id) => !current.has(id));
  if (missing.length > 0) {
    throw new AppError('NOT_FOUND', `Photo${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')} not found.`);
  }
  const next: Label | null = classId === null ? null : { classId, source: 'user' };
  const before: LabelWrite[] = [];
  const after: LabelWrite[] = [];
  for (const id of unique) {
    const old = current.get(id) ?? null;
    if (sameLabel(old, next)) continue;
    before.push({ photoId: id, label: old });
    after.push({ photoId: id, label: next });
  }
  if (after.length > 0) {
    writeLabels(db, after);
    history.record({ before, after });
  }
  return history.result(after.map((w) => w.photoId));
}

function sameLabel(a: Label | null, b: Label | null): boolean {
  if (a === null || b === null) return a === b;
  return a.classId === b.classId && a.source === b.source;
}
