/**
 * Upgrading a project made before issue 16 keeps what it held usable: the float32 feature cache
 * comes back (compact, within half a quantisation step) and validation examples of finished runs
 * become the rows the Mistakes and confusion filters read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/db/database';
import { migrations } from '../../../src/main/db/migrations/index';
import { pagePhotos } from '../../../src/main/db/photo-query';
import { applyFolderChanges } from '../../../src/main/db/photo-repository';
import { insertFolder } from '../../../src/main/db/folder-repository';
import { countCachedFeatures, getCachedFeatures, putCachedFeatures } from '../../../src/main/db/training-feature-repository';
import { completeRun, insertRun } from '../../../src/main/db/training-repository';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

function before(name: string) {
  return migrations.slice(
    0,
    migrations.findIndex((m) => m.name === name)
  );
}

function vector(seed: number, dim: number): Float32Array {
  return Float32Array.from({ length: dim }, (_, i) => ((i * 31 + seed * 17) % 13 === 0 ? 0 : (((i + 1) * (seed + 3)) % 101) / 25));
}

describe('upgrading an older project', () => {
  it('keeps its float32 feature cache, compact, within half a step of every value', () => {
    const file = tmp.file('features.tstudio');
    const old = openDatabase(file, { migrations: before('compact-feature-cache') });
    const insert = old.prepare('INSERT INTO feature_cache (hash, extractor, dim, data, created_at) VALUES (?, ?, ?, ?, 0)');
    const rows = [1, 2, 3].map((seed) => ({ hash: `h${seed}`, data: vector(seed, 2560) }));
    for (const r of rows) insert.run(r.hash, 'mobilenet|w|320|tm|avg-flip|v1', 2560, Buffer.from(r.data.buffer));
    insert.run('h1', 'vgg16|w|224|caffe|none|v1', 6, Buffer.from(vector(9, 6).buffer));
    // A row whose bytes do not match its dim was never readable; the upgrade leaves it behind.
    insert.run('h4', 'mobilenet|w|320|tm|avg-flip|v1', 2560, Buffer.alloc(12));
    old.close();

    const db = openDatabase(file);
    const back = getCachedFeatures(db, 'mobilenet|w|320|tm|avg-flip|v1', ['h1', 'h2', 'h3', 'h4']);
    expect([...back.keys()]).toEqual(['h1', 'h2', 'h3']);
    for (const r of rows) {
      const got = back.get(r.hash) as Float32Array;
      const step = Math.max(...r.data) / 255;
      expect(got.every((v, i) => Math.abs(v - r.data[i]) <= step / 2 + 1e-6)).toBe(true);
    }
    expect(getCachedFeatures(db, 'vgg16|w|224|caffe|none|v1', ['h1']).get('h1')).toHaveLength(6);
    expect(countCachedFeatures(db)).toBe(4);
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'feature_cache'").pluck().get()).toBe(0);
    // New rows of a known extractor and of a new one land beside them.
    putCachedFeatures(db, 'mobilenet|w|320|tm|avg-flip|v1', [{ hash: 'h5', data: vector(5, 2560) }]);
    putCachedFeatures(db, 'new|w|1|x|avg|v2', [{ hash: 'h1', data: vector(1, 8) }]);
    expect(countCachedFeatures(db, 'mobilenet|w|320|tm|avg-flip|v1')).toBe(4);
    expect(countCachedFeatures(db, 'new|w|1|x|avg|v2')).toBe(1);
    db.close();
  });

  it('turns the validation examples of finished runs into rows, and keeps them in step with later runs', () => {
    const file = tmp.file('examples.tstudio');
    const old = openDatabase(file, { migrations: before('training-examples') });
    const folderId = insertFolder(old, '/p', false);
    const ids = applyFolderChanges(old, {
      folderId,
      inserts: [1, 2, 3, 4].map((i) => ({
        relPath: `${i}.jpg`,
        size: 1,
        mtime: i,
        hash: `h${i}`,
        width: 1,
        height: 1,
        split: 'val',
        status: 'ok' as const,
        error: null,
        classId: null
      })),
      updates: [],
      moves: [],
      deletes: []
    });
    const example = (photoId: number, trueIndex: number, predictedIndex: number) => ({
      photoId,
      trueIndex,
      predictedIndex,
      confidence: 0.6,
      loss: 1
    });
    const run = (examples: ReturnType<typeof example>[]) => {
      const runId = insertRun(old, { config: {}, backboneId: 'b', classes: [] });
      completeRun(old, { runId, backend: 'wasm', timings: {}, metrics: {}, history: [], examples, modelPath: '/m' });
      return runId;
    };
    const first = run([example(ids[2], 0, 1), example(ids[0], 1, 0), example(ids[1], 0, 0)]);
    old.close();

    const db = openDatabase(file);
    const names = (filter: Parameters<typeof pagePhotos>[1]['filter']) =>
      pagePhotos(db, { filter, search: '', sort: 'name' }, 0, 10).items.map((p) => p.name);
    // Mistakes: only the photos the model got wrong (2.jpg was right), worst first.
    expect(names({ kind: 'mistakes', runId: first })).toEqual(['3.jpg', '1.jpg']);
    expect(names({ kind: 'confusion', runId: first, trueIndex: 0, predictedIndex: 0 })).toEqual(['2.jpg']);
    expect(names({ kind: 'confusion', runId: first, trueIndex: 1, predictedIndex: 0 })).toEqual(['1.jpg']);
    const runId = insertRun(db, { config: {}, backboneId: 'b', classes: [] });
    completeRun(db, { runId, backend: 'wasm', timings: {}, metrics: {}, history: [], examples: [example(ids[3], 1, 1)], modelPath: '/m2' });
    expect(names({ kind: 'confusion', runId, trueIndex: 1, predictedIndex: 1 })).toEqual(['4.jpg']);
    expect(names({ kind: 'mistakes', runId })).toEqual([]);
    expect(pagePhotos(db, { filter: { kind: 'mistakes', runId: first }, search: '', sort: 'name' }, 1, 1)).toMatchObject({ total: 2 });
    db.close();
  });
});
