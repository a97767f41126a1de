/**
 * A suggestion turned down stays turned down: predictions:reject remembers the photo and the
 * class, so when predictions are computed again (a new run, or the same run re-predicting) the
 * same class is not suggested for that photo, nor accepted by accept-all; another class is. The
 * project file, the session and the training handlers are real; predictions are written with
 * the calls a finished run makes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handlers } from '../../../src/shared/contract';
import { openDatabase, schemaVersion, type Database } from '../../../src/main/db/database';
import { initialMigration } from '../../../src/main/db/migrations/0001-initial';
import { trainingMigration } from '../../../src/main/db/migrations/0002-training';
import { migrations } from '../../../src/main/db/migrations/index';
import { rejectedClasses, replacePredictions, type PredictionRow } from '../../../src/main/db/training-prediction-repository';
import { completeRun, insertRun } from '../../../src/main/db/training-repository';
import { EventBus } from '../../../src/main/services/event-bus';
import { assignLabels } from '../../../src/main/services/labels';
import { openSession, type ProjectSession } from '../../../src/main/services/project-session';
import { ThumbnailCache } from '../../../src/main/services/thumbnails';
import { createTrainingHandlers, type TrainingChannel } from '../../../src/main/services/training';

const ANTS = 1;
const BEES = 2;
const classes = [
  { id: ANTS, name: 'ants' },
  { id: BEES, name: 'bees' }
];

let dir: string;
let session: ProjectSession;
let handlers: Pick<Handlers, TrainingChannel>;

/** One folder, photos 1–4 unlabeled, classes ants and bees. */
function seed(db: Database): void {
  db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0)").run();
  const photo = db.prepare(
    "INSERT INTO photos (id, folder_id, rel_path, name, size, mtime, hash, status, added_at) VALUES (?, 1, ?, ?, 1, 0, ?, 'ok', 0)"
  );
  for (const id of [1, 2, 3, 4]) photo.run(id, `${id}.jpg`, `${id}.jpg`, `h${id}`);
  db.prepare(
    "INSERT INTO classes (id, name, color, position, created_at) VALUES (1, 'ants', '#ff0000', 0, 0), (2, 'bees', '#00ff00', 1, 0)"
  ).run();
}

function prediction(photoId: number, classId: number, confidence = 0.9): PredictionRow {
  return { photoId, classId, confidence, probs: classId === ANTS ? [confidence, 1 - confidence] : [1 - confidence, confidence] };
}

/** What a run that finishes does to the project: its model becomes active, its predictions stored. */
function finishRun(db: Database, rows: PredictionRow[]): number {
  const runId = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes });
  completeRun(db, {
    runId,
    backend: 'wasm',
    timings: {},
    metrics: {},
    history: [],
    examples: [],
    modelPath: path.join(dir, `run-${runId}`)
  });
  replacePredictions(db, runId, rows);
  return runId;
}

async function suggested(): Promise<{ photoId: number; className: string }[]> {
  const page = await handlers['predictions:list']({ order: 'least-certain', offset: 0, limit: 100 });
  return page.items.map((s) => ({ photoId: s.photoId, className: s.className })).sort((a, b) => a.photoId - b.photoId);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-rejections-'));
  const events = new EventBus();
  session = openSession(path.join(dir, 'p.tstudio'), 'create', { events, thumbs: new ThumbnailCache(path.join(dir, 'cache')) });
  seed(session.db);
  handlers = createTrainingHandlers({
    current: () => session,
    events,
    modelDirs: { modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user-models') }
  });
});
afterEach(() => {
  session.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rejected suggestions', () => {
  it('are not suggested again by a new run that predicts the same class; a different class is', async () => {
    finishRun(session.db, [prediction(1, ANTS), prediction(2, BEES), prediction(3, ANTS)]);
    expect(await handlers['predictions:reject']({ photoIds: [1, 2] })).toMatchObject({ rejected: 2 });
    finishRun(session.db, [prediction(1, ANTS), prediction(2, ANTS), prediction(3, ANTS)]);
    expect(await suggested()).toEqual([
      { photoId: 2, className: 'ants' },
      { photoId: 3, className: 'ants' }
    ]);
  });

  it('are not suggested again when the same run predicts again', async () => {
    const runId = finishRun(session.db, [prediction(1, ANTS), prediction(2, BEES)]);
    await handlers['predictions:reject']({ runId, photoIds: [1] });
    replacePredictions(session.db, runId, [prediction(1, ANTS, 0.97), prediction(2, BEES)]);
    expect(await suggested()).toEqual([{ photoId: 2, className: 'bees' }]);
  });

  it('are not accepted by accept-all', async () => {
    finishRun(session.db, [prediction(1, ANTS), prediction(2, BEES)]);
    await handlers['predictions:reject']({ photoIds: [1] });
    finishRun(session.db, [prediction(1, ANTS, 0.99), prediction(2, BEES, 0.99)]);
    expect(await handlers['predictions:accept']({ minConfidence: 0 })).toMatchObject({ accepted: 1, photoIds: [2] });
    expect(session.db.prepare('SELECT photo_id FROM labels').pluck().all()).toEqual([2]);
  });

  it('are forgotten once the photo is labeled: clearing the label later offers every class again', async () => {
    finishRun(session.db, [prediction(1, ANTS)]);
    await handlers['predictions:reject']({ photoIds: [1] });
    expect(rejectedClasses(session.db, 1)).toEqual([ANTS]);
    assignLabels(session.db, session.history, [1], BEES);
    expect(rejectedClasses(session.db, 1)).toEqual([]);
    assignLabels(session.db, session.history, [1], null);
    finishRun(session.db, [prediction(1, ANTS)]);
    expect(await suggested()).toEqual([{ photoId: 1, className: 'ants' }]);
  });

  it('go when their class is deleted', async () => {
    finishRun(session.db, [prediction(1, ANTS)]);
    await handlers['predictions:reject']({ photoIds: [1] });
    session.db.prepare('DELETE FROM classes WHERE id = ?').run(ANTS);
    expect(rejectedClasses(session.db, 1)).toEqual([]);
  });
});

describe('migration 0003-prediction-rejections', () => {
  it('upgrades a version-2 project, keeps its runs and predictions, and remembers rejections from then on', () => {
    const file = path.join(dir, 'v2.tstudio');
    const v2 = openDatabase(file, { migrations: [initialMigration, trainingMigration] });
    seed(v2);
    const runId = finishRun(v2, [prediction(1, ANTS), prediction(2, BEES)]);
    v2.close();
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(migrations.at(-1)?.version);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(3);
    expect(db.prepare('SELECT photo_id FROM training_predictions WHERE run_id = ? ORDER BY photo_id').pluck().all(runId)).toEqual([1, 2]);
    expect(db.prepare('SELECT COUNT(*) FROM prediction_rejections').pluck().get()).toBe(0);
    expect(db.prepare("SELECT strict FROM pragma_table_list WHERE name = 'prediction_rejections'").pluck().get()).toBe(1);
    db.close();
  });
});
