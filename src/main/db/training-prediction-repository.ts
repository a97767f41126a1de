/**
 * A run's predictions for photos, and turning accepted ones into labels (source 'model').
 * A suggestion is a prediction for a photo still unlabeled whose class the person has not
 * turned down for that photo (prediction_rejections outlives the predictions it came from).
 */
import type { Database } from './database';
import { suggestionTotal } from './stats-repository';

export interface PredictionRow {
  photoId: number;
  classId: number;
  /** Probability of the predicted class, 0–1. */
  confidence: number;
  /** In the run's class order. */
  probs: number[];
}

/** SQL condition on `p` (training_predictions): the person has not rejected this class for this photo. */
const NOT_REJECTED = 'NOT EXISTS (SELECT 1 FROM prediction_rejections r WHERE r.photo_id = p.photo_id AND r.class_id = p.class_id)';
const UNLABELED = 'NOT EXISTS (SELECT 1 FROM labels l WHERE l.photo_id = p.photo_id)';
/** A photo a rescan found unreadable since it was predicted is not in the grid, so not a suggestion. */
const READABLE = "EXISTS (SELECT 1 FROM photos ph WHERE ph.id = p.photo_id AND ph.status = 'ok')";

export function replacePredictions(db: Database, runId: number, rows: readonly PredictionRow[]): void {
  const insert = db.prepare('INSERT INTO training_predictions (run_id, photo_id, class_id, confidence, probs) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    db.prepare('DELETE FROM training_predictions WHERE run_id = ?').run(runId);
    for (const row of rows) insert.run(runId, row.photoId, row.classId, row.confidence, JSON.stringify(row.probs));
  }).immediate();
}

export interface PredictionQuery {
  runId: number;
  /** Only predictions of this class. */
  classId?: number;
  /**
   * Only suggestions (the default): photos that still have no label, so accepted ones drop out,
   * and not a class the person rejected for the photo.
   */
  unlabeledOnly?: boolean;
  /** Only suggestions at least this confident, 0–1. */
  minConfidence?: number;
  /** 'least-certain' first answers "what should I label next". */
  order?: 'least-certain' | 'most-certain';
  offset?: number;
  limit?: number;
}

export function listPredictions(db: Database, q: PredictionQuery): { total: number; items: PredictionRow[] } {
  const where = ['p.run_id = ?'];
  const params: unknown[] = [q.runId];
  if (q.classId !== undefined) {
    where.push('p.class_id = ?');
    params.push(q.classId);
  }
  if (q.minConfidence !== undefined) {
    where.push('p.confidence >= ?');
    params.push(q.minConfidence);
  }
  const suggestionsOnly = q.unlabeledOnly ?? true;
  // is_suggestion (kept by triggers, migration 0006) is the same rule, and lets the order walk an index.
  if (suggestionsOnly) where.push('p.is_suggestion = 1', UNLABELED, NOT_REJECTED, READABLE);
  const from = `FROM training_predictions p WHERE ${where.join(' AND ')}`;
  // Suggestions are counted as they change (migration 0006); counting them here read every prediction.
  const total =
    suggestionsOnly && q.minConfidence === undefined
      ? suggestionTotal(db, q.runId, q.classId)
      : (db
          .prepare(`SELECT COUNT(*) ${from}`)
          .pluck()
          .get(...params) as number);
  const dir = q.order === 'most-certain' ? 'DESC' : 'ASC';
  const rows = db
    .prepare(
      `SELECT p.photo_id AS photoId, p.class_id AS classId, p.confidence, p.probs ${from} ORDER BY p.confidence ${dir}, p.photo_id LIMIT ? OFFSET ?`
    )
    .all(...params, q.limit ?? 200, q.offset ?? 0) as Array<Omit<PredictionRow, 'probs'> & { probs: string }>;
  return { total, items: rows.map((r) => ({ ...r, probs: JSON.parse(r.probs) as number[] })) };
}

/**
 * Predictions that may become labels: suggestions (photos still unlabeled, class not rejected),
 * optionally only these ids and at least this confidence. The caller writes them as labels
 * (so they can be undone).
 */
export function acceptablePredictions(
  db: Database,
  runId: number,
  sel: { photoIds?: number[]; minConfidence?: number }
): { photoId: number; classId: number }[] {
  const where = ['p.run_id = ?', UNLABELED, NOT_REJECTED, READABLE];
  const params: unknown[] = [runId];
  if (sel.minConfidence !== undefined) {
    where.push('p.confidence >= ?');
    params.push(sel.minConfidence);
  }
  // Chosen photos are looked up by key: accepting one must not read every prediction of the run.
  if (sel.photoIds) {
    where.push('p.photo_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(sel.photoIds));
  }
  return db
    .prepare(
      `SELECT p.photo_id AS photoId, p.class_id AS classId FROM training_predictions p WHERE ${where.join(' AND ')} ORDER BY p.photo_id`
    )
    .all(...params) as { photoId: number; classId: number }[];
}

/** Every prediction of a run with the photo's path, for CSV export. */
export function predictionsForExport(
  db: Database,
  runId: number
): { photoId: number; path: string; classId: number; confidence: number; probs: number[] }[] {
  const rows = db
    .prepare(
      `SELECT p.photo_id AS photoId, f.path AS folderPath, ph.rel_path AS relPath, p.class_id AS classId, p.confidence, p.probs
       FROM training_predictions p JOIN photos ph ON ph.id = p.photo_id JOIN folders f ON f.id = ph.folder_id
       WHERE p.run_id = ? ORDER BY p.photo_id`
    )
    .all(runId) as { photoId: number; folderPath: string; relPath: string; classId: number; confidence: number; probs: string }[];
  return rows.map((r) => ({
    photoId: r.photoId,
    path: `${r.folderPath}/${r.relPath}`,
    classId: r.classId,
    confidence: r.confidence,
    probs: JSON.parse(r.probs) as number[]
  }));
}

/**
 * Turns down a run's suggestions for these photos: remembers each photo's predicted class as
 * rejected (so a later run or re-predict does not offer it again) and removes the prediction.
 * Returns how many predictions were removed.
 */
export function rejectPredictions(db: Database, runId: number, photoIds: readonly number[], now = Date.now()): number {
  const remember = db.prepare(
    `INSERT INTO prediction_rejections (photo_id, class_id, rejected_at)
     SELECT photo_id, class_id, ? FROM training_predictions WHERE run_id = ? AND photo_id = ?
     ON CONFLICT (photo_id, class_id) DO UPDATE SET rejected_at = excluded.rejected_at`
  );
  const del = db.prepare('DELETE FROM training_predictions WHERE run_id = ? AND photo_id = ?');
  return db
    .transaction(() =>
      photoIds.reduce((n, id) => {
        remember.run(now, runId, id);
        return n + del.run(runId, id).changes;
      }, 0)
    )
    .immediate();
}

/** Classes rejected for a photo, for tests and diagnostics. */
export function rejectedClasses(db: Database, photoId: number): number[] {
  return db.prepare('SELECT class_id FROM prediction_rejections WHERE photo_id = ? ORDER BY class_id').pluck().all(photoId) as number[];
}
