/**
 * Training runs and their models. Run details that are only read whole are JSON columns;
 * this file parses them back into typed records.
 */
import path from 'node:path';
import type { Database } from './database';

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** A readable, hashed photo with its label (if any), as training sees it. */
export interface TrainingPhoto {
  photoId: number;
  /** Absolute path on disk. */
  path: string;
  hash: string;
  split: string | null;
  classId: number | null;
}

export interface RunRecord {
  id: number;
  status: RunStatus;
  config: unknown;
  backboneId: string;
  backend: string | null;
  classes: { id: number; name: string }[];
  startedAt: number;
  finishedAt: number | null;
  timings: unknown;
  metrics: unknown;
  history: unknown[];
  examples: unknown[] | null;
  error: string | null;
  modelPath: string | null;
  active: boolean;
}

export function listTrainingPhotos(db: Database): TrainingPhoto[] {
  const rows = db
    .prepare(
      `SELECT p.id AS photoId, f.path AS folderPath, p.rel_path AS relPath, p.hash, p.split, l.class_id AS classId
       FROM photos p JOIN folders f ON f.id = p.folder_id LEFT JOIN labels l ON l.photo_id = p.id
       WHERE p.status = 'ok' AND p.hash IS NOT NULL ORDER BY p.id`
    )
    .all() as Array<Omit<TrainingPhoto, 'path'> & { folderPath: string; relPath: string }>;
  return rows.map(({ folderPath, relPath, ...rest }) => ({ ...rest, path: path.join(folderPath, ...relPath.split('/')) }));
}

/** Classes in panel order. */
export function listClassNames(db: Database): { id: number; name: string }[] {
  return db.prepare('SELECT id, name FROM classes ORDER BY position, id').all() as { id: number; name: string }[];
}

export function insertRun(
  db: Database,
  run: { config: unknown; backboneId: string; classes: { id: number; name: string }[] },
  now = Date.now()
): number {
  const info = db
    .prepare("INSERT INTO training_runs (status, config, backbone_id, classes, started_at) VALUES ('running', ?, ?, ?, ?)")
    .run(JSON.stringify(run.config), run.backboneId, JSON.stringify(run.classes), now);
  return Number(info.lastInsertRowid);
}

export function setRunBackend(db: Database, runId: number, backend: string): void {
  db.prepare('UPDATE training_runs SET backend = ? WHERE id = ?').run(backend, runId);
}

export function setRunHistory(db: Database, runId: number, history: unknown[]): void {
  db.prepare('UPDATE training_runs SET history = ? WHERE id = ?').run(JSON.stringify(history), runId);
}

/** Ends a run that did not complete; only a run still marked running changes. */
export function finishRunUnsuccessfully(
  db: Database,
  runId: number,
  status: 'cancelled' | 'failed',
  error: string | null,
  now = Date.now()
): boolean {
  const info = db
    .prepare("UPDATE training_runs SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = 'running'")
    .run(status, error, now, runId);
  return info.changes > 0;
}

export interface CompletedRun {
  runId: number;
  backend: string;
  timings: unknown;
  metrics: unknown;
  history: unknown[];
  examples: unknown[];
  modelPath: string;
}

/**
 * Marks the run completed and records its model, which becomes the active one: a person retrains
 * to get better suggestions, so the newest model serves them until they choose another in Runs.
 */
export function completeRun(db: Database, run: CompletedRun, now = Date.now()): void {
  db.transaction(() => {
    db.prepare(
      `UPDATE training_runs SET status = 'completed', error = NULL, backend = ?, timings = ?, metrics = ?, history = ?, examples = ?,
       finished_at = ? WHERE id = ?`
    ).run(
      run.backend,
      JSON.stringify(run.timings),
      JSON.stringify(run.metrics),
      JSON.stringify(run.history),
      JSON.stringify(run.examples),
      now,
      run.runId
    );
    db.prepare('UPDATE training_models SET active = 0 WHERE active = 1').run();
    db.prepare('INSERT INTO training_models (run_id, path, active, created_at) VALUES (?, ?, 1, ?)').run(run.runId, run.modelPath, now);
  }).immediate();
}

export function setActiveModel(db: Database, runId: number): boolean {
  return db
    .transaction(() => {
      if (db.prepare('SELECT 1 FROM training_models WHERE run_id = ?').get(runId) === undefined) return false;
      db.prepare('UPDATE training_models SET active = 0 WHERE active = 1').run();
      db.prepare('UPDATE training_models SET active = 1 WHERE run_id = ?').run(runId);
      return true;
    })
    .immediate();
}

/** A run's classes in model output order, without reading the rest of the run; null if no such run. */
export function runClasses(db: Database, runId: number): { id: number; name: string }[] | null {
  const text = db.prepare('SELECT classes FROM training_runs WHERE id = ?').pluck().get(runId) as string | undefined;
  return text === undefined ? null : (JSON.parse(text) as { id: number; name: string }[]);
}

export function activeRunId(db: Database): number | null {
  const row = db.prepare('SELECT run_id AS runId FROM training_models WHERE active = 1').get() as { runId: number } | undefined;
  return row?.runId ?? null;
}

interface RunRow {
  id: number;
  status: RunStatus;
  config: string;
  backbone_id: string;
  backend: string | null;
  classes: string;
  started_at: number;
  finished_at: number | null;
  timings: string | null;
  metrics: string | null;
  history: string;
  examples: string | null;
  error: string | null;
  model_path: string | null;
  active: number | null;
}

const RUN_SELECT = `SELECT r.*, m.path AS model_path, m.active FROM training_runs r LEFT JOIN training_models m ON m.run_id = r.id`;

export function getRun(db: Database, runId: number): RunRecord | null {
  const row = db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(runId) as RunRow | undefined;
  return row ? toRecord(row) : null;
}

/** Newest first. */
export function listRuns(db: Database): RunRecord[] {
  return (db.prepare(`${RUN_SELECT} ORDER BY r.id DESC`).all() as RunRow[]).map(toRecord);
}

function parse<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    status: row.status,
    config: parse<unknown>(row.config, {}),
    backboneId: row.backbone_id,
    backend: row.backend,
    classes: parse(row.classes, []),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    timings: parse<unknown>(row.timings, null),
    metrics: parse<unknown>(row.metrics, null),
    history: parse<unknown[]>(row.history, []),
    examples: parse<unknown[] | null>(row.examples, null),
    error: row.error,
    modelPath: row.model_path,
    active: row.active === 1
  };
}
