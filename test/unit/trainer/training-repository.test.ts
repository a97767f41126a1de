import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Database } from '../../../src/main/db/database';
import { initialMigration } from '../../../src/main/db/migrations/0001-initial';
import { migrations } from '../../../src/main/db/migrations/index';
import { countCachedFeatures, getCachedFeatures, putCachedFeatures } from '../../../src/main/db/training-feature-repository';
import { acceptablePredictions, listPredictions, replacePredictions } from '../../../src/main/db/training-prediction-repository';
import { failOrphanedRuns, INTERRUPTED } from '../../../src/main/services/run-owner';
import {
  activeRunId,
  completeRun,
  finishRunUnsuccessfully,
  getRun,
  insertRun,
  listTrainingPhotos,
  setActiveModel
} from '../../../src/main/db/training-repository';

let dir: string;
let db: Database;

/** Two classes, four photos in one folder; photo 1 and 2 labeled. */
function seed(d: Database): void {
  d.prepare("INSERT INTO folders (id, path, added_at) VALUES (1, '/photos', 0)").run();
  const photo = d.prepare(
    "INSERT INTO photos (id, folder_id, rel_path, name, size, mtime, hash, split, status, added_at) VALUES (?, 1, ?, ?, 1, 0, ?, ?, 'ok', 0)"
  );
  for (const [id, rel, split] of [
    [1, 'a/1.jpg', 'train'],
    [2, 'b/2.jpg', 'val'],
    [3, 'x/3.jpg', null],
    [4, 'x/4.jpg', null]
  ] as const) {
    photo.run(id, rel, path.basename(rel), `h${id}`, split);
  }
  d.prepare(
    "INSERT INTO classes (id, name, color, position, created_at) VALUES (1, 'ants', '#ff0000', 0, 0), (2, 'bees', '#00ff00', 1, 0)"
  ).run();
  d.prepare("INSERT INTO labels (photo_id, class_id, source, created_at) VALUES (1, 1, 'user', 0), (2, 2, 'user', 0)").run();
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-train-db-'));
  db = openDatabase(path.join(dir, 'p.tstudio'));
  seed(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migration 0002-training', () => {
  it('upgrades a version-1 project and keeps its photos', () => {
    const file = path.join(dir, 'old.tstudio');
    const old = openDatabase(file, { migrations: [initialMigration] });
    seed(old);
    old.close();
    const upgraded = openDatabase(file);
    expect(schemaVersion(upgraded)).toBe(migrations.at(-1)?.version);
    expect(listTrainingPhotos(upgraded)).toHaveLength(4);
    upgraded.close();
  });
});

describe('training photos', () => {
  it('lists readable photos with absolute paths, hashes, splits and labels', () => {
    expect(listTrainingPhotos(db)[0]).toEqual({
      photoId: 1,
      path: path.join('/photos', 'a', '1.jpg'),
      hash: 'h1',
      split: 'train',
      classId: 1
    });
    expect(
      listTrainingPhotos(db)
        .filter((p) => p.classId === null)
        .map((p) => p.photoId)
    ).toEqual([3, 4]);
  });
});

describe('runs', () => {
  const classes = [
    { id: 1, name: 'ants' },
    { id: 2, name: 'bees' }
  ];

  it('completes a run, records its model and makes the newest model active', () => {
    const runId = insertRun(db, { config: { epochs: 3 }, backboneId: 'mobilenet_v2', classes });
    completeRun(db, {
      runId,
      backend: 'wasm',
      timings: { total: 1 },
      metrics: { accuracy: 1 },
      history: [{ epoch: 1 }],
      examples: [],
      modelPath: '/m/run-1'
    });
    expect(getRun(db, runId)).toMatchObject({ status: 'completed', backend: 'wasm', modelPath: '/m/run-1', active: true, classes });
    const second = insertRun(db, { config: {}, backboneId: 'vgg16', classes });
    completeRun(db, { runId: second, backend: 'wasm', timings: {}, metrics: {}, history: [], examples: [], modelPath: '/m/run-2' });
    expect(activeRunId(db)).toBe(second);
    expect(setActiveModel(db, runId)).toBe(true);
    expect(activeRunId(db)).toBe(runId);
    expect(getRun(db, second)?.active).toBe(false);
  });

  it('ends a cancelled or failed run once, and fails runs left running without an owner (from before owners)', () => {
    const a = insertRun(db, { config: {}, backboneId: 'x', classes });
    const b = insertRun(db, { config: {}, backboneId: 'x', classes });
    expect(finishRunUnsuccessfully(db, a, 'cancelled', null)).toBe(true);
    expect(finishRunUnsuccessfully(db, a, 'failed', 'late')).toBe(false);
    expect(failOrphanedRuns(db, '/p.tstudio')).toEqual([b]);
    expect(getRun(db, a)?.status).toBe('cancelled');
    expect(getRun(db, b)).toMatchObject({ status: 'failed', error: INTERRUPTED });
  });
});

describe('feature cache', () => {
  it('stores vectors by content hash and extractor, each value within half a step of its range/255', () => {
    putCachedFeatures(db, 'mnv2|k|224', [{ hash: 'h1', data: new Float32Array([1.5, -2, 3]) }]);
    const back = [...(getCachedFeatures(db, 'mnv2|k|224', ['h1', 'h2']).get('h1') ?? [])];
    expect(back).toHaveLength(3);
    [1.5, -2, 3].forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(5 / 255 / 2 + 1e-6));
    expect(getCachedFeatures(db, 'mnv2|k|96', ['h1']).size).toBe(0);
    expect(countCachedFeatures(db)).toBe(1);
  });
});

describe('predictions', () => {
  it('lists suggestions for unlabeled photos, least certain first, and offers them for acceptance', () => {
    const runId = insertRun(db, { config: {}, backboneId: 'x', classes: [] });
    replacePredictions(db, runId, [
      { photoId: 2, classId: 2, confidence: 0.99, probs: [0.01, 0.99] },
      { photoId: 3, classId: 1, confidence: 0.95, probs: [0.95, 0.05] },
      { photoId: 4, classId: 2, confidence: 0.6, probs: [0.4, 0.6] }
    ]);
    expect(listPredictions(db, { runId }).items.map((p) => p.photoId)).toEqual([4, 3]);
    expect(listPredictions(db, { runId, classId: 1 }).items.map((p) => p.photoId)).toEqual([3]);
    expect(acceptablePredictions(db, runId, { minConfidence: 0.9 })).toEqual([{ photoId: 3, classId: 1 }]);
    expect(acceptablePredictions(db, runId, { photoIds: [2, 4] })).toEqual([{ photoId: 4, classId: 2 }]);
  });
});
