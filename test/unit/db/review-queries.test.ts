/**
 * What the grid lists and what the counts say agree: a turned-down suggestion stays out of the
 * grid's suggestion filters after predictions are computed again (not only out of
 * predictions:list), a photo a rescan found unreadable is in neither; "Mistakes" lists the
 * validation photos the run got wrong (the count the run shows); "accepted from the model"
 * lists the labels that came from accepting a suggestion, and the stats count them. Real project
 * file, real handlers; predictions are written with the calls a finished run makes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Handlers, PhotoFilter } from '../../../src/shared/contract';
import type { Database } from '../../../src/main/db/database';
import { pagePhotos } from '../../../src/main/db/photo-query';
import { projectStats } from '../../../src/main/db/stats-repository';
import { replacePredictions, type PredictionRow } from '../../../src/main/db/training-prediction-repository';
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

/** One folder, photos 1–8, classes ants and bees, nothing labeled. */
function seed(db: Database): void {
  db.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0)").run();
  const photo = db.prepare(
    "INSERT INTO photos (id, folder_id, rel_path, name, size, mtime, hash, status, added_at) VALUES (?, 1, ?, ?, 1, 0, ?, 'ok', 0)"
  );
  for (let id = 1; id <= 8; id++) photo.run(id, `${id}.jpg`, `${id}.jpg`, `h${id}`);
  db.prepare(
    "INSERT INTO classes (id, name, color, position, created_at) VALUES (1, 'ants', '#ff0000', 0, 0), (2, 'bees', '#00ff00', 1, 0)"
  ).run();
}

function prediction(photoId: number, classId: number, confidence: number): PredictionRow {
  return { photoId, classId, confidence, probs: classId === ANTS ? [confidence, 1 - confidence] : [1 - confidence, confidence] };
}

function finishRun(db: Database, rows: PredictionRow[], examples: unknown[] = []): number {
  const runId = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes });
  completeRun(db, { runId, backend: 'wasm', timings: {}, metrics: {}, history: [], examples, modelPath: path.join(dir, `run-${runId}`) });
  replacePredictions(db, runId, rows);
  return runId;
}

function grid(filter: PhotoFilter): { total: number; ids: number[] } {
  const page = pagePhotos(session.db, { filter, search: '', sort: 'name' }, 0, 100);
  return { total: page.total, ids: page.items.map((p) => p.id) };
}

async function suggestionCount(req: { classId?: number; minConfidence?: number } = {}): Promise<number> {
  return (await handlers['predictions:list']({ order: 'least-certain', offset: 0, limit: 1, ...req })).total;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-review-'));
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

describe('suggestions in the grid and in the counts', () => {
  it('a turned-down suggestion does not come back at the top of "least certain first" after predicting again', async () => {
    const runId = finishRun(session.db, [prediction(1, ANTS, 0.51), prediction(2, BEES, 0.8), prediction(3, ANTS, 0.9)]);
    await handlers['predictions:reject']({ photoIds: [1] });
    expect(grid({ kind: 'uncertain' }).ids).toEqual([2, 3]);
    // Update suggestions: the same model predicts the same class for photo 1 again.
    replacePredictions(session.db, runId, [prediction(1, ANTS, 0.51), prediction(2, BEES, 0.8), prediction(3, ANTS, 0.9)]);
    expect(grid({ kind: 'uncertain' })).toEqual({ total: 2, ids: [2, 3] });
    expect(grid({ kind: 'suggested', classId: ANTS }).ids).toEqual([3]);
    expect(pagePhotos(session.db, { filter: { kind: 'all' }, search: '', sort: 'name' }, 0, 1).items[0].suggestion).toBeNull();
  });

  it('the sidebar counts (predictions:list) equal the grid totals, per class too, with rejected and unreadable photos about', async () => {
    const runId = finishRun(session.db, [
      prediction(1, ANTS, 0.6),
      prediction(2, BEES, 0.7),
      prediction(3, ANTS, 0.95),
      prediction(4, BEES, 0.99),
      prediction(5, ANTS, 0.55)
    ]);
    await handlers['predictions:reject']({ photoIds: [1] });
    replacePredictions(session.db, runId, [
      prediction(1, ANTS, 0.6),
      prediction(2, BEES, 0.7),
      prediction(3, ANTS, 0.95),
      prediction(4, BEES, 0.99),
      prediction(5, ANTS, 0.55)
    ]);
    session.db.prepare("UPDATE photos SET status = 'skipped', error = 'corrupt' WHERE id = 5").run();
    expect(await suggestionCount()).toBe(grid({ kind: 'uncertain' }).total);
    expect(grid({ kind: 'uncertain' }).total).toBe(3);
    for (const classId of [ANTS, BEES]) expect(await suggestionCount({ classId })).toBe(grid({ kind: 'suggested', classId }).total);
  });

  it('counts the suggestions "Accept all at or above" would label, and accepts exactly those', async () => {
    finishRun(session.db, [prediction(1, ANTS, 0.6), prediction(2, BEES, 0.91), prediction(3, ANTS, 0.95), prediction(4, BEES, 0.89)]);
    expect(await suggestionCount({ minConfidence: 0.9 })).toBe(2);
    expect(await suggestionCount({ minConfidence: 0.9, classId: ANTS })).toBe(1);
    const accepted = await handlers['predictions:accept']({ minConfidence: 0.9 });
    expect(accepted).toMatchObject({ accepted: 2, photoIds: [2, 3] });
    expect(accepted.undoStep).toEqual(expect.any(Number));
  });
});

describe('mistakes', () => {
  it('lists the validation photos the run got wrong, worst first, and counts the same', () => {
    const examples = [
      { photoId: 4, trueIndex: 0, predictedIndex: 1, confidence: 0.9, loss: 2.3 },
      { photoId: 6, trueIndex: 1, predictedIndex: 0, confidence: 0.7, loss: 1.2 },
      { photoId: 7, trueIndex: 1, predictedIndex: 1, confidence: 0.6, loss: 0.5 },
      { photoId: 8, trueIndex: 0, predictedIndex: 0, confidence: 0.99, loss: 0.01 }
    ];
    const runId = finishRun(session.db, [], examples);
    expect(grid({ kind: 'mistakes', runId })).toEqual({ total: 2, ids: [4, 6] });
    expect(grid({ kind: 'confusion', runId, trueIndex: 1, predictedIndex: 1 }).ids).toEqual([7]);
  });
});

describe('labels accepted from the model', () => {
  it('have their own filter and count, and leave both once the person relabels them', async () => {
    finishRun(session.db, [prediction(1, ANTS, 0.9), prediction(2, BEES, 0.9), prediction(3, ANTS, 0.9)]);
    await handlers['predictions:accept']({ photoIds: [1, 2] });
    assignLabels(session.db, session.history, [4], ANTS);
    expect(grid({ kind: 'accepted' }).ids).toEqual([1, 2]);
    expect(projectStats(session.db)).toMatchObject({ labeled: 3, acceptedFromModel: 2 });
    assignLabels(session.db, session.history, [2], BEES);
    expect(grid({ kind: 'accepted' }).ids).toEqual([1]);
    expect(projectStats(session.db).acceptedFromModel).toBe(1);
  });
});
