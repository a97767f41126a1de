import type { LabelChangeResult } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { getClass } from '../db/class-repository';
import { currentLabels, writeLabels, type Label, type LabelWrite } from '../db/label-repository';

/** Undo steps kept per open project; older ones fall off. */
export const MAX_UNDO_STEPS = 200;

/** A label change as the history reports it; the handlers add the delta for the answer. */
export type LabelChange = Omit<LabelChangeResult, 'delta'>;

/** One user action: every photo it touched, with its label before and after. */
interface LabelStep {
  before: LabelWrite[];
  after: LabelWrite[];
}

/** In-memory undo/redo of label changes for the open project. */
export class LabelHistory {
  private undoStack: LabelStep[] = [];
  private redoStack: LabelStep[] = [];

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  record(step: LabelStep): void {
    this.undoStack.push(step);
    if (this.undoStack.length > MAX_UNDO_STEPS) this.undoStack.shift();
    this.redoStack = [];
  }

  /** Class deletes and merges rewrite labels wholesale; replaying older steps would resurrect them. */
  clear(): void {
    this.undoStack = [];
    this.redoStack = [];
  }

  undo(db: Database): LabelChange {
    const step = this.undoStack.pop();
    if (step) {
      writeLabels(db, step.before);
      this.redoStack.push(step);
    }
    return this.result(step?.before.map((w) => w.photoId) ?? []);
  }

  redo(db: Database): LabelChange {
    const step = this.redoStack.pop();
    if (step) {
      writeLabels(db, step.after);
      this.undoStack.push(step);
    }
    return this.result(step?.after.map((w) => w.photoId) ?? []);
  }

  /** What a change did: the photos it touched and where the history stands. */
  result(photoIds: number[]): LabelChange {
    return { changed: photoIds.length, photoIds, canUndo: this.canUndo, canRedo: this.canRedo };
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
