import type { ClassDto } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import * as repo from '../db/class-repository';
import { labelsOfClass } from '../db/label-repository';
import type { LabelHistory } from './labels';

/** Distinct colours for new classes (Tableau 10, then a second set), used in order. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf'
];

export interface ClassInput {
  name: string;
  color?: string;
  hotkey?: string | null;
}

/** Adds a class; without a colour or hotkey it gets the next unused colour and digit 1-9. */
export function addClass(db: Database, input: ClassInput): ClassDto {
  const name = input.name.trim();
  if (repo.findClassByName(db, name)) throw new AppError('CONFLICT', `A class named "${name}" already exists.`);
  const hotkey = input.hotkey === undefined ? nextFreeHotkey(db) : normaliseHotkey(input.hotkey);
  assertHotkeyFree(db, hotkey, null);
  const id = repo.insertClass(db, { name, color: input.color ?? nextColor(db), hotkey });
  return mustGet(db, id);
}

export function updateClass(db: Database, id: number, patch: repo.ClassPatch): ClassDto {
  mustGet(db, id);
  const clean: repo.ClassPatch = { ...patch };
  if (clean.name !== undefined) {
    clean.name = clean.name.trim();
    const other = repo.findClassByName(db, clean.name);
    if (other && other.id !== id) throw new AppError('CONFLICT', `A class named "${clean.name}" already exists.`);
  }
  if (clean.hotkey !== undefined) {
    clean.hotkey = normaliseHotkey(clean.hotkey);
    assertHotkeyFree(db, clean.hotkey, id);
  }
  repo.updateClass(db, id, clean);
  return mustGet(db, id);
}

export function reorderClasses(db: Database, ids: number[]): ClassDto[] {
  if (new Set(ids).size !== ids.length) throw new AppError('INVALID_REQUEST', 'Class ids must not repeat.');
  for (const id of ids) mustGet(db, id);
  repo.reorderClasses(db, ids);
  return repo.listClasses(db);
}

/** Deletes a class and its labels (the UI confirms first), as one step that undo reverts. */
export function deleteClass(db: Database, history: LabelHistory, id: number): { removedLabels: number; undoStep: number } {
  const cls = mustGet(db, id);
  const before = labelsOfClass(db, id);
  const removedLabels = repo.deleteClass(db, id);
  const undoStep = history.record({ before, after: before.map((w) => ({ ...w, label: null })), removedClass: record(cls) });
  return { removedLabels, undoStep };
}

/** Moves every label of `sourceId` to `targetId` and deletes the source class, as one step that undo reverts. */
export function mergeClasses(db: Database, history: LabelHistory, sourceId: number, targetId: number): ClassDto & { undoStep: number } {
  if (sourceId === targetId) throw new AppError('INVALID_REQUEST', 'Cannot merge a class into itself.');
  const source = mustGet(db, sourceId);
  mustGet(db, targetId);
  const before = labelsOfClass(db, sourceId);
  repo.mergeClasses(db, sourceId, targetId);
  const after = before.map((w) => ({ ...w, label: w.label && { ...w.label, classId: targetId } }));
  const undoStep = history.record({ before, after, removedClass: record(source) });
  return { ...mustGet(db, targetId), undoStep };
}

function record(cls: ClassDto): repo.ClassRecord {
  return { id: cls.id, name: cls.name, color: cls.color, hotkey: cls.hotkey, position: cls.position };
}

/**
 * Class ids for folder names ("classes from folders"), creating the classes that do not exist
 * yet. Matching is case-insensitive, like the UNIQUE constraint. Keys are the names as given.
 */
export function ensureClasses(db: Database, names: Iterable<string>): Map<string, number> {
  const ids = new Map<string, number>();
  for (const name of [...new Set(names)].sort((a, b) => a.localeCompare(b))) {
    const existing = repo.findClassByName(db, name);
    ids.set(name, existing ? existing.id : addClass(db, { name }).id);
  }
  return ids;
}

function nextFreeHotkey(db: Database): string | null {
  const used = repo.usedHotkeys(db);
  for (let digit = 1; digit <= 9; digit++) if (!used.has(String(digit))) return String(digit);
  return null;
}

function nextColor(db: Database): string {
  const used = repo.usedColors(db);
  const free = PALETTE.find((c) => !used.has(c));
  if (free) return free;
  // Past the palette, spread hues by the golden angle so neighbours stay distinguishable.
  const hue = (used.size * 137.508) % 360;
  return hslToHex(hue, 0.55, 0.55);
}

function normaliseHotkey(hotkey: string | null): string | null {
  return hotkey === null ? null : hotkey.toLowerCase();
}

function assertHotkeyFree(db: Database, hotkey: string | null, selfId: number | null): void {
  if (hotkey === null) return;
  const holder = repo.listClasses(db).find((c) => c.hotkey?.toLowerCase() === hotkey && c.id !== selfId);
  if (holder) throw new AppError('CONFLICT', `Hotkey "${hotkey}" is already used by class "${holder.name}".`);
}

function mustGet(db: Database, id: number): ClassDto {
  const cls = repo.getClass(db, id);
  if (!cls) throw new AppError('NOT_FOUND', `Class ${id} does not exist.`);
  return cls;
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): string => {
    const k = (n + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
