import type { PhotoStatus } from '../../shared/dto';
import type { Database } from './database';

/** What a rescan needs to know about a photo already in the project. */
export interface StoredFile {
  id: number;
  relPath: string;
  size: number;
  mtime: number;
  hash: string | null;
  status: PhotoStatus;
}

/** A file's facts as the import found them. */
export interface ProbedFile {
  relPath: string;
  size: number;
  /** Epoch ms. */
  mtime: number;
  hash: string | null;
  width: number | null;
  height: number | null;
  split: string | null;
  status: PhotoStatus;
  error: string | null;
}

/** A new photo, with the class its folder names when "classes from folders" is on. */
export interface NewPhoto extends ProbedFile {
  classId: number | null;
}

/** Everything one folder scan changes, written in one transaction. */
export interface FolderChanges {
  folderId: number;
  inserts: NewPhoto[];
  /** Same path, new content or new facts; the label stays. */
  updates: Array<ProbedFile & { id: number }>;
  /** Same content at a new path; the row (and so its label) is kept. */
  moves: Array<{ id: number; relPath: string; size: number; mtime: number; split: string | null }>;
  deletes: number[];
}

export function listFolderFiles(db: Database, folderId: number): StoredFile[] {
  return db
    .prepare('SELECT id, rel_path AS relPath, size, mtime, hash, status FROM photos WHERE folder_id = ?')
    .all(folderId) as StoredFile[];
}

/** One page of a folder's photos by id, for scans that must not hold the thread for long. */
export function listFolderFilesPage(db: Database, folderId: number, afterId: number, limit: number): StoredFile[] {
  return db
    .prepare(
      // "+folder_id": walk the rowid range, not the (folder_id, rel_path) index, so each page
      // costs its own rows rather than a sort of the whole folder.
      'SELECT id, rel_path AS relPath, size, mtime, hash, status FROM photos WHERE +folder_id = ? AND id > ? ORDER BY id LIMIT ?'
    )
    .all(folderId, afterId, limit) as StoredFile[];
}

/** Content hash → photo id over every readable photo of the project, for duplicate checks. */
export function okHashIndex(db: Database): Map<string, number> {
  const rows = db.prepare("SELECT hash, id FROM photos WHERE status = 'ok' AND hash IS NOT NULL").raw().all() as Array<[string, number]>;
  return new Map(rows);
}

/**
 * Hash → photo id of the project's readable photos among `hashes`: the duplicate check of one
 * import chunk, through the hash index, instead of a map of the whole project held in memory.
 */
export function okPhotosWithHashes(db: Database, hashes: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  const find = db.prepare("SELECT id FROM photos WHERE hash = ? AND status = 'ok' ORDER BY id LIMIT 1").pluck();
  for (const hash of new Set(hashes)) {
    const id = find.get(hash) as number | undefined;
    if (id !== undefined) out.set(hash, id);
  }
  return out;
}

export function photoLocation(
  db: Database,
  id: number
): { folderPath: string; relPath: string; hash: string | null; status: PhotoStatus } | null {
  const row = db
    .prepare(
      `SELECT f.path AS folderPath, p.rel_path AS relPath, p.hash, p.status
       FROM photos p JOIN folders f ON f.id = p.folder_id WHERE p.id = ?`
    )
    .get(id) as { folderPath: string; relPath: string; hash: string | null; status: PhotoStatus } | undefined;
  return row ?? null;
}

/** Marks a photo unreadable after the fact (e.g. its thumbnail could not be decoded). */
export function markPhotoSkipped(db: Database, id: number, reason: string): void {
  db.transaction(() => {
    db.prepare("UPDATE photos SET status = 'skipped', error = ?, width = NULL, height = NULL WHERE id = ?").run(reason, id);
    db.prepare('DELETE FROM labels WHERE photo_id = ?').run(id);
  }).immediate();
}

/** Applies a folder scan in one transaction. Returns the ids of inserted photos, in order. */
export function applyFolderChanges(db: Database, changes: FolderChanges, now = Date.now()): number[] {
  // An upsert: another process (the app's rescan while the CLI imports) may have added the same
  // file since this scan began; its row then takes this scan's facts, and keeps its label.
  const insert = db.prepare(
    `INSERT INTO photos (folder_id, rel_path, name, size, mtime, hash, width, height, split, status, error, added_at)
     VALUES (@folderId, @relPath, @name, @size, @mtime, @hash, @width, @height, @split, @status, @error, @now)
     ON CONFLICT (folder_id, rel_path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
       width = excluded.width, height = excluded.height, split = excluded.split, status = excluded.status, error = excluded.error
     RETURNING id`
  );
  const label = db.prepare("INSERT OR IGNORE INTO labels (photo_id, class_id, source, created_at) VALUES (?, ?, 'user', ?)");
  const update = db.prepare(
    `UPDATE photos SET size = @size, mtime = @mtime, hash = @hash, width = @width, height = @height,
       split = @split, status = @status, error = @error WHERE id = @id`
  );
  const dropLabel = db.prepare('DELETE FROM labels WHERE photo_id = ?');
  const move = db.prepare(
    'UPDATE photos SET rel_path = @relPath, name = @name, size = @size, mtime = @mtime, split = @split WHERE id = @id'
  );
  const remove = db.prepare('DELETE FROM photos WHERE id = ?');
  return db
    .transaction(() => {
      // Deletes first: a moved file may take over a path that a deleted row still holds.
      for (const id of changes.deletes) remove.run(id);
      for (const m of changes.moves) move.run({ ...m, name: fileName(m.relPath) });
      for (const u of changes.updates) {
        update.run(u);
        if (u.status !== 'ok') dropLabel.run(u.id);
      }
      const ids: number[] = [];
      for (const p of changes.inserts) {
        const { classId, ...fields } = p;
        const { id } = insert.get({ ...fields, folderId: changes.folderId, name: fileName(p.relPath), now }) as { id: number };
        if (classId !== null && p.status === 'ok') label.run(id, classId, now);
        ids.push(id);
      }
      return ids;
    })
    .immediate();
}

export function fileName(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash < 0 ? relPath : relPath.slice(slash + 1);
}

/** Forgets the train/val/test split of every photo of a folder whose folder names mean nothing. */
export function clearFolderSplits(db: Database, folderId: number): number {
  return db.prepare('UPDATE photos SET split = NULL WHERE folder_id = ? AND split IS NOT NULL').run(folderId).changes;
}
