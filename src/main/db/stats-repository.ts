import type { ProjectStats } from '../../shared/dto';
import type { Database } from './database';

/*
 * Every count here is a sum over photo_counts, which triggers keep equal to the photos and their
 * labels (migration 0006): a few rows per folder, split and class, whatever the library's size.
 */

/** Class name → number of readable photos labeled with it; every class appears, in panel order. */
export function classCounts(db: Database): Record<string, number> {
  const rows = db
    .prepare(
      `SELECT c.name, COALESCE((SELECT SUM(n) FROM photo_counts pc WHERE pc.class_id = c.id AND pc.status = 'ok'), 0)
       FROM classes c ORDER BY c.position, c.id`
    )
    .raw()
    .all() as Array<[string, number]>;
  return Object.fromEntries(rows);
}

/** Split → number of readable photos; photos without a split are not counted. */
export function splitCounts(db: Database): Record<string, number> {
  const rows = db
    .prepare("SELECT split, SUM(n) FROM photo_counts WHERE status = 'ok' AND split <> '' GROUP BY split HAVING SUM(n) > 0 ORDER BY split")
    .raw()
    .all() as Array<[string, number]>;
  return Object.fromEntries(rows);
}

export function okPhotoCount(db: Database): number {
  return db.prepare("SELECT COALESCE(SUM(n), 0) FROM photo_counts WHERE status = 'ok'").pluck().get() as number;
}

export function projectStats(db: Database): ProjectStats {
  const row = db
    .prepare(
      `SELECT COALESCE(SUM(n) FILTER (WHERE status = 'ok'), 0) AS photos,
              COALESCE(SUM(n) FILTER (WHERE status = 'ok' AND class_id <> 0), 0) AS labeled,
              COALESCE(SUM(n) FILTER (WHERE status = 'skipped'), 0) AS skipped
       FROM photo_counts`
    )
    .get() as { photos: number; labeled: number; skipped: number };
  return {
    photos: row.photos,
    labeled: row.labeled,
    unlabeled: row.photos - row.labeled,
    acceptedFromModel: acceptedFromModelCount(db),
    skipped: row.skipped,
    classes: classCounts(db),
    splits: splitCounts(db)
  };
}

/** Class id → photos labeled with it (any status), for every class: what ClassDto.count shows. */
export function labelCountsByClass(db: Database): Record<number, number> {
  const rows = db
    .prepare('SELECT c.id, COALESCE((SELECT SUM(n) FROM photo_counts pc WHERE pc.class_id = c.id), 0) FROM classes c')
    .raw()
    .all() as Array<[number, number]>;
  return Object.fromEntries(rows);
}

/** Suggestions of a run (of one class), from the counts the database keeps. */
export function suggestionTotal(db: Database, runId: number, classId?: number): number {
  const sql = `SELECT COALESCE(SUM(n), 0) FROM suggestion_counts WHERE run_id = ? ${classId === undefined ? '' : 'AND class_id = ?'}`;
  return db
    .prepare(sql)
    .pluck()
    .get(...(classId === undefined ? [runId] : [runId, classId])) as number;
}

/** A run's suggestions, in all and per class id, from the counts the database keeps. */
export function suggestionCounts(db: Database, runId: number): { total: number; byClass: Record<number, number> } {
  const rows = db.prepare('SELECT class_id, n FROM suggestion_counts WHERE run_id = ? AND n > 0').raw().all(runId) as Array<
    [number, number]
  >;
  return { total: rows.reduce((sum, [, n]) => sum + n, 0), byClass: Object.fromEntries(rows) };
}

/** Skipped files of one folder with their reasons, by path. */
export function skippedFiles(db: Database, folderId: number): Array<{ relPath: string; reason: string }> {
  return db
    .prepare(
      "SELECT rel_path AS relPath, COALESCE(error, 'unreadable') AS reason FROM photos WHERE folder_id = ? AND status = 'skipped' ORDER BY rel_path"
    )
    .all(folderId) as Array<{ relPath: string; reason: string }>;
}

/**
 * Readable photos whose label the person accepted from the model's suggestion. CROSS JOIN keeps
 * labels first, read from the partial index of model labels (migration 0005): left to itself the
 * planner walks every readable photo instead (16 ms at 100,000 photos against 0.3 ms).
 */
export function acceptedFromModelCount(db: Database): number {
  return db
    .prepare("SELECT COUNT(*) FROM labels l CROSS JOIN photos p ON p.id = l.photo_id WHERE l.source = 'model' AND p.status = 'ok'")
    .pluck()
    .get() as number;
}
