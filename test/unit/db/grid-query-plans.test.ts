/**
 * Every filter and order the grid offers reads one index in its own order: no sort of the
 * matching photos and no scan of a table, so a page costs its offset in index steps plus its
 * own rows at any library size. (Name search with sort by class is the one combination that
 * sorts: the matches are not counted ahead, so they cannot be read class by class.)
 */
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PhotoFilter, PhotoSort } from '../../../src/shared/contract';
import { migrate } from '../../../src/main/db/database';
import { insertClass } from '../../../src/main/db/class-repository';
import { insertFolder } from '../../../src/main/db/folder-repository';
import { pagePhotos } from '../../../src/main/db/photo-query';
import { applyFolderChanges } from '../../../src/main/db/photo-repository';
import { replacePredictions } from '../../../src/main/db/training-prediction-repository';
import { completeRun, insertRun } from '../../../src/main/db/training-repository';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let db: BetterSqlite3.Database;
let statements: string[];
let runId: number;
let classId: number;

beforeEach(() => {
  tmp = tempDir();
  statements = [];
  db = new BetterSqlite3(tmp.file('plans.tstudio'), { verbose: (sql) => statements.push(String(sql)) });
  db.pragma('foreign_keys = ON');
  migrate(db);
  classId = insertClass(db, { name: 'ants', color: '#000001', hotkey: '1' });
  insertClass(db, { name: 'bees', color: '#000002', hotkey: '2' });
  const folderId = insertFolder(db, '/p', true);
  const ids = applyFolderChanges(db, {
    folderId,
    inserts: Array.from({ length: 300 }, (_, i) => ({
      relPath: `${i % 3 === 0 ? 'val' : 'train'}/p${i}.jpg`,
      size: 1,
      mtime: i,
      hash: `h${i}`,
      width: 1,
      height: 1,
      split: i % 3 === 0 ? 'val' : 'train',
      status: i % 50 === 0 ? ('skipped' as const) : ('ok' as const),
      error: null,
      classId: i % 2 === 0 ? classId : null
    })),
    updates: [],
    moves: [],
    deletes: []
  });
  runId = insertRun(db, { config: {}, backboneId: 'b', classes: [{ id: classId, name: 'ants' }] });
  const examples = ids.slice(0, 30).map((photoId, i) => ({ photoId, trueIndex: 0, predictedIndex: i % 2, confidence: 0.5, loss: 1 }));
  completeRun(db, { runId, backend: 'wasm', timings: {}, metrics: {}, history: [], examples, modelPath: '/m' });
  replacePredictions(
    db,
    runId,
    ids.map((photoId, i) => ({ photoId, classId, confidence: (i % 97) / 97, probs: [] }))
  );
});
afterEach(() => {
  db.close();
  tmp.remove();
});

/** The query plan of every statement that picked photo ids for one page. */
function idPlans(filter: PhotoFilter, sort: PhotoSort, search = ''): string[] {
  statements.length = 0;
  pagePhotos(db, { filter, sort, search }, 0, 50);
  return statements
    .filter((sql) => /^\s*SELECT (p\.id|sp\.photo_id AS id) FROM/.test(sql))
    .map((sql) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | '));
}

describe('grid queries', () => {
  const library: PhotoFilter[] = [
    { kind: 'all' },
    { kind: 'unlabeled' },
    { kind: 'labeled' },
    { kind: 'skipped' },
    { kind: 'class', classId: 1 },
    { kind: 'split', split: 'val' }
  ];

  it('read one index in order for every library filter and sort, with and without a name search', () => {
    for (const filter of library) {
      for (const sort of ['name', 'date', 'class'] as const) {
        for (const search of sort === 'class' ? [''] : ['', 'p1']) {
          const plans = idPlans(filter, sort, search);
          expect(plans.length, `${filter.kind}/${sort}`).toBeGreaterThan(0);
          for (const plan of plans) {
            expect(plan, `${filter.kind}/${sort}/${search}`).toMatch(/USING COVERING INDEX photos_/);
            expect(plan, `${filter.kind}/${sort}/${search}`).not.toMatch(/TEMP B-TREE|SCAN p\b(?! USING)/);
          }
        }
      }
    }
  });

  it('read the run’s examples and the flagged suggestions by index, in their own order', () => {
    const cases: PhotoFilter[] = [
      { kind: 'mistakes', runId },
      { kind: 'confusion', runId, trueIndex: 0, predictedIndex: 1 },
      { kind: 'suggested', classId },
      { kind: 'uncertain' }
    ];
    for (const filter of cases) {
      const [plan] = idPlans(filter, 'name');
      expect(plan, filter.kind).toMatch(/training_examples|training_predictions_(class|confidence)|PRIMARY KEY/);
      expect(plan, filter.kind).not.toMatch(/TEMP B-TREE|SCAN (p|sp|x)\b/);
    }
  });
});
