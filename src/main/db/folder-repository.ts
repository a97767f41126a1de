import type { Database } from './database';

/** A folders row as the services use it. */
export interface FolderRecord {
  id: number;
  path: string;
  classesFromFolders: boolean;
  lastScanAt: number | null;
  /** Photos (status ok) imported from this folder. */
  photoCount: number;
}

interface FolderRow {
  id: number;
  path: string;
  classes_from_folders: number;
  last_scan_at: number | null;
  photo_count: number;
}

const SELECT_FOLDERS = `
  SELECT f.id, f.path, f.classes_from_folders, f.last_scan_at,
         (SELECT COALESCE(SUM(n), 0) FROM photo_counts c WHERE c.folder_id = f.id AND c.status = 'ok') AS photo_count
  FROM folders f`;

export function listFolders(db: Database): FolderRecord[] {
  const rows = db.prepare(`${SELECT_FOLDERS} ORDER BY f.id`).all() as FolderRow[];
  return rows.map(toRecord);
}

export function getFolder(db: Database, id: number): FolderRecord | null {
  const row = db.prepare(`${SELECT_FOLDERS} WHERE f.id = ?`).get(id) as FolderRow | undefined;
  return row ? toRecord(row) : null;
}

export function findFolderByPath(db: Database, path: string): FolderRecord | null {
  const row = db.prepare(`${SELECT_FOLDERS} WHERE f.path = ?`).get(path) as FolderRow | undefined;
  return row ? toRecord(row) : null;
}

export function insertFolder(db: Database, path: string, classesFromFolders: boolean, now = Date.now()): number {
  const info = db
    // Another process may add the same folder at the same moment: then both use one row.
    .prepare('INSERT INTO folders (path, classes_from_folders, added_at) VALUES (?, ?, ?) ON CONFLICT (path) DO NOTHING')
    .run(path, classesFromFolders ? 1 : 0, now);
  return Number(info.lastInsertRowid);
}

export function setClassesFromFolders(db: Database, id: number, on: boolean): void {
  db.prepare('UPDATE folders SET classes_from_folders = ? WHERE id = ?').run(on ? 1 : 0, id);
}

export function markFolderScanned(db: Database, id: number, at = Date.now()): void {
  db.prepare('UPDATE folders SET last_scan_at = ? WHERE id = ?').run(at, id);
}

/** Deletes the folder row; its photos and their labels go by cascade. Returns photos removed. */
export function deleteFolder(db: Database, id: number): number {
  return db
    .transaction(() => {
      const { n } = db.prepare('SELECT COUNT(*) AS n FROM photos WHERE folder_id = ?').get(id) as { n: number };
      db.prepare('DELETE FROM folders WHERE id = ?').run(id);
      return n;
    })
    .immediate();
}

function toRecord(row: FolderRow): FolderRecord {
  return {
    id: row.id,
    path: row.path,
    classesFromFolders: row.classes_from_folders === 1,
    lastScanAt: row.last_scan_at,
    photoCount: row.photo_count
  };
}
