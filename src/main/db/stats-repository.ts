import type { ProjectStats } from '../../shared/dto';
import type { Database } from './database';

/** Class name → number of readable photos labeled with it; every class appears, in panel order. */
export function classCounts(db: Database): Record<string, number> {
  const rows = db
    .prepare(
      `SELECT c.name, (SELECT COUNT(*) FROM labels l JOIN photos p ON p.id = l.photo_id
                       WHERE l.class_id = c.id AND p.status = 'ok') AS n
       FROM classes c ORDER BY c.position, c.id`
    )
    .raw()
    .all() as Array<[string, number]>;
  return Object.fromEntries(rows);
}

/** Split → number of readable photos; photos without a split are not counted. */
export function splitCounts(db: Database): Record<string, number> {
  const rows = db
    .prepare("SELECT split, COUNT(*) FROM photos WHERE status = 'ok' AND split IS NOT NULL GROUP BY split ORDER BY split")
    .raw()
    .all() as Array<[string, number]>;
  return Object.fromEntries(rows);
}

export function okPhotoCount(db: Database): number {
  return db.prepare("SELECT COUNT(*) FROM photos WHERE status = 'ok'").pluck().get() as number;
}

export function projectStats(db: Database): ProjectStats {
  const row = db
    .prepare(
      `SELECT SUM(p.status = 'ok') AS photos,
              SUM(p.status = 'ok' AND l.photo_id IS NOT NULL) AS labeled,
              SUM(p.status = 'ok' AND l.source = 'model') AS accepted,
              SUM(p.status = 'skipped') AS skipped
       FROM photos p LEFT JOIN labels l ON l.photo_id = p.id`
    )
    .get() as { photos: number | null; labeled: number | null; accepted: number | null; skipped: number | null };
  const photos = row.photos ?? 0;
  const labeled = row.labeled ?? 0;
  return {
    photos,
    labeled,
    unlabeled: photos - labeled,
    acceptedFromModel: row.accepted ?? 0,
    skipped: row.skipped ?? 0,
    classes: classCounts(db),
    splits: splitCounts(db)
  };
}

/** Skipped files of one folder with their reasons, by path. */
export function skippedFiles(db: Database, folderId: number): Array<{ relPath: string; reason: string }> {
  return db
    .prepare(
      "SELECT rel_path AS relPath, COALESCE(error, 'unreadable') AS reason FROM photos WHERE folder_id = ? AND status = 'skipped' ORDER BY rel_path"
    )
    .all(folderId) as Array<{ relPath: string; reason: string }>;
}
