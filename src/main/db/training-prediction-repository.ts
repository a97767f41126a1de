/**
 * A run's predictions for photos, and turning accepted ones into labels (source 'model').
 */
import type { Database } from './database';

export interface PredictionRow {
  photoId: number;
  classId: number;
  /** Probability of the predicted class, 0–1. */
  confidence: number;
  /** In the run's class order. */
  probs: number[];
}

export function replacePredictions(db: Database, runId: number, rows: readonly PredictionRow[]): void {
  const insert = db.prepare('INSERT INTO training_predictions (run_id, photo_id, class_id, confidence, probs) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    db.prepare('DELETE FROM training_predictions WHERE run_id = ?').run(runId);
    for (const row of rows) insert.run(runId, row.photoId, row.classId, row.confidence, JSON.stringify(row.probs));
  })();
}

export interface PredictionQuery {
  runId: number;
  /** Only predictions of this class. */
  classId?: number;
  /** Only photos that still have no label (the default), so accepted ones drop out. */
  unlabeledOnly?: boolean;
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
  if (q.unlabeledOnly ?? true) where.push('NOT EXISTS (SELECT 1 FROM labels l WHERE l.photo_id = p.photo_id)');
  const from = `FROM training_predictions p WHERE ${where.join(' AND ')}`;
  const total = db.prepare(`SELECT COUNT(*) ${from}`).pluck().get(...params) as number;
  const dir = q.order === 'most-certain' ? 'DESC' : 'ASC';
  const rows = db
    .prepare(`SELECT p.photo_id AS photoId, p.class_id AS classId, p.confidence, p.probs ${from} ORDER BY p.confidence ${dir}, p.photo_id LIMIT ? OFFSET ?`)
    .all(...params, q.limit ?? 200, q.offset ?? 0) as Array<Omit<PredictionRow, 'probs'> & { probs: string }>;
  return { total, items: rows.map((r) => ({ ...r, probs: JSON.parse(r.probs) as number[] })) };
}

/**
 * Predictions that may become labels: photos still unlabeled, optionally only these ids and
 * at least this confidence. The labels service writes them (so they can be undone).
 */
export function acceptablePredictions(db: Database, runId: number, sel: { photoIds?: number[]; minConfidence?: number }): { photoId: number; classId: number }[] {
  const where = ['p.run_id = ?', 'NOT EXISTS (SELECT 1 FROM labels l WHERE l.photo_id = p.photo_id)'];
  const params: unknown[] = [runId];
  if (sel.minConfidence !== undefined) {
    where.push('p.confidence >= ?');
    params.push(sel.minConfidence);
  }
  const rows = db
    .prepare(`SELECT p.photo_id AS photoId, p.class_id AS classId FROM training_predictions p WHERE ${where.join(' AND ')} ORDER BY p.photo_id`)
    .all(...params) as { photoId: number; classId: number }[];
  const wanted = sel.photoIds ? new Set(sel.photoIds) : null;
  return rows.filter((r) => wanted === null || wanted.has(r.photoId));
}

/** Every prediction of a run with the photo's path, for CSV export. */
export function predictionsForExport(db: Database, runId: number): { photoId: number; path: string; classId: number; confidence: number; probs: number[] }[] {
  const rows = db
    .prepare(
      `SELECT p.photo_id AS photoId, f.path AS folderPath, ph.rel_path AS relPath, p.class_id AS classId, p.confidence, p.probs
       FROM training_predictions p JOIN photos ph ON ph.id = p.photo_id JOIN folders f ON f.id = ph.folder_id
       WHERE p.run_id = ? ORDER BY p.photo_id`
    )
    .all(runId) as { photoId: number; folderPath: string; relPath: string; classId: number; confidence: number; probs: string }[];
  return rows.map((r) => ({ photoId: r.photoId, path: `${r.folderPath}/${r.relPath}`, classId: r.classId, confidence: r.confidence, probs: JSON.parse(r.probs) as number[] }));
}

/** Removes a run's predictions for these photos (suggestions the user turned down); returns how many. */
export function deletePredictions(db: Database, runId: number, photoIds: readonly number[]): number {
  const del = db.prepare('DELETE FROM training_predictions WHERE run_id = ? AND photo_id = ?');
  return db.transaction(() => photoIds.reduce((n, id) => n + del.run(runId, id).changes, 0))();
}
