import type { ClassDto } from '../../shared/dto';
import type { Database } from './database';

export interface NewClass {
  name: string;
  color: string;
  hotkey: string | null;
}

export interface ClassPatch {
  name?: string;
  color?: string;
  hotkey?: string | null;
}

const SELECT_CLASSES = `
  SELECT c.id, c.name, c.color, c.hotkey, c.position,
         (SELECT COALESCE(SUM(n), 0) FROM photo_counts pc WHERE pc.class_id = c.id) AS count
  FROM classes c`;

export function listClasses(db: Database): ClassDto[] {
  return db.prepare(`${SELECT_CLASSES} ORDER BY c.position, c.id`).all() as ClassDto[];
}

export function getClass(db: Database, id: number): ClassDto | null {
  return (db.prepare(`${SELECT_CLASSES} WHERE c.id = ?`).get(id) as ClassDto | undefined) ?? null;
}

/** Case-insensitive, as the UNIQUE constraint is. */
export function findClassByName(db: Database, name: string): ClassDto | null {
  return (db.prepare(`${SELECT_CLASSES} WHERE c.name = ?`).get(name) as ClassDto | undefined) ?? null;
}

/** Appends a class at the end of the panel order. */
export function insertClass(db: Database, cls: NewClass, now = Date.now()): number {
  const { next } = db.prepare('SELECT COALESCE(MAX(position) + 1, 0) AS next FROM classes').get() as { next: number };
  const info = db
    .prepare('INSERT INTO classes (name, color, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(cls.name, cls.color, cls.hotkey, next, now);
  return Number(info.lastInsertRowid);
}

/** A class as a deleted one is remembered, so an undo can put it back where it was. */
export interface ClassRecord {
  id: number;
  name: string;
  color: string;
  hotkey: string | null;
  position: number;
}

/**
 * Puts a deleted class back at its old place in the panel (undo of a delete or merge): with its
 * old id when that is free, else a new one. Returns the id it got.
 */
export function restoreClass(db: Database, cls: ClassRecord, now = Date.now()): number {
  return db.transaction(() => {
    db.prepare('UPDATE classes SET position = position + 1 WHERE position >= ?').run(cls.position);
    const free = db.prepare('SELECT 1 FROM classes WHERE id = ?').get(cls.id) === undefined;
    const info = db
      .prepare('INSERT INTO classes (id, name, color, hotkey, position, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(free ? cls.id : null, cls.name, cls.color, cls.hotkey, cls.position, now);
    compactPositions(db);
    return Number(info.lastInsertRowid);
  })();
}

export function updateClass(db: Database, id: number, patch: ClassPatch): void {
  const sets: string[] = [];
  const params: Record<string, unknown> = { id };
  for (const key of ['name', 'color', 'hotkey'] as const) {
    if (patch[key] === undefined) continue;
    sets.push(`${key} = @${key}`);
    params[key] = patch[key];
  }
  if (sets.length > 0) db.prepare(`UPDATE classes SET ${sets.join(', ')} WHERE id = @id`).run(params);
}

/** Puts `ids` first, in that order; classes not listed keep their relative order after them. */
export function reorderClasses(db: Database, ids: number[]): void {
  db.transaction(() => {
    const rest = (db.prepare('SELECT id FROM classes ORDER BY position, id').pluck().all() as number[]).filter((id) => !ids.includes(id));
    const set = db.prepare('UPDATE classes SET position = ? WHERE id = ?');
    [...ids, ...rest].forEach((id, position) => set.run(position, id));
  }).immediate();
}

/** Deletes a class and its labels. Returns the number of labels removed. */
export function deleteClass(db: Database, id: number): number {
  return db
    .transaction(() => {
      const removed = db.prepare('DELETE FROM labels WHERE class_id = ?').run(id).changes;
      db.prepare('DELETE FROM classes WHERE id = ?').run(id);
      compactPositions(db);
      return removed;
    })
    .immediate();
}

/** Relabels every photo of `sourceId` as `targetId`, then deletes the source class. */
export function mergeClasses(db: Database, sourceId: number, targetId: number): number {
  return db
    .transaction(() => {
      const moved = db.prepare('UPDATE labels SET class_id = ? WHERE class_id = ?').run(targetId, sourceId).changes;
      db.prepare('DELETE FROM classes WHERE id = ?').run(sourceId);
      compactPositions(db);
      return moved;
    })
    .immediate();
}

export function usedHotkeys(db: Database): Set<string> {
  const keys = db.prepare('SELECT hotkey FROM classes WHERE hotkey IS NOT NULL').pluck().all() as string[];
  return new Set(keys.map((k) => k.toLowerCase()));
}

export function usedColors(db: Database): Set<string> {
  const colors = db.prepare('SELECT color FROM classes').pluck().all() as string[];
  return new Set(colors.map((c) => c.toLowerCase()));
}

function compactPositions(db: Database): void {
  const ids = db.prepare('SELECT id FROM classes ORDER BY position, id').pluck().all() as number[];
  const set = db.prepare('UPDATE classes SET position = ? WHERE id = ?');
  ids.forEach((id, position) => set.run(position, id));
}
