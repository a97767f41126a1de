/**
 * The counts the database keeps (migration 0006: photo_counts, suggestion_counts, the label
 * mirrored into photos, the is_suggestion flag) must always equal what a fresh COUNT(*) over the
 * photos, labels and predictions says: after every kind of write the app makes, including the
 * cascades of folder, class, photo and run deletes, and after migrating a project that already
 * holds data. Every write below goes through the app's own repository functions.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/db/database';
import { deleteClass, insertClass, listClasses, mergeClasses } from '../../../src/main/db/class-repository';
import { deleteFolder, insertFolder, listFolders } from '../../../src/main/db/folder-repository';
import { writeLabels } from '../../../src/main/db/label-repository';
import { migrations } from '../../../src/main/db/migrations/index';
import { applyFolderChanges, markPhotoSkipped, type NewPhoto } from '../../../src/main/db/photo-repository';
import { labelCountsByClass, projectStats, suggestionCounts } from '../../../src/main/db/stats-repository';
import { rejectPredictions, replacePredictions } from '../../../src/main/db/training-prediction-repository';
import { completeRun, insertRun } from '../../../src/main/db/training-repository';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

function photo(relPath: string, extra: Partial<NewPhoto> = {}): NewPhoto {
  return {
    relPath,
    size: 1,
    mtime: 0,
    hash: `h-${relPath}`,
    width: 4,
    height: 3,
    split: null,
    status: 'ok',
    error: null,
    classId: null,
    ...extra
  };
}

/** Everything the maintained counts answer, computed from scratch with plain COUNT(*)s. */
function freshCounts(db: Database) {
  const one = (sql: string, ...args: unknown[]) =>
    db
      .prepare(sql)
      .pluck()
      .get(...args) as number;
  const photos = one("SELECT COUNT(*) FROM photos WHERE status = 'ok'");
  const labeled = one("SELECT COUNT(*) FROM photos p JOIN labels l ON l.photo_id = p.id WHERE p.status = 'ok'");
  const classRows = db.prepare('SELECT id, name FROM classes ORDER BY position, id').all() as { id: number; name: string }[];
  const runs = db.prepare('SELECT id FROM training_runs ORDER BY id').pluck().all() as number[];
  return {
    stats: {
      photos,
      labeled,
      unlabeled: photos - labeled,
      acceptedFromModel: one(
        "SELECT COUNT(*) FROM photos p JOIN labels l ON l.photo_id = p.id WHERE p.status = 'ok' AND l.source = 'model'"
      ),
      skipped: one("SELECT COUNT(*) FROM photos WHERE status = 'skipped'"),
      classes: Object.fromEntries(
        classRows.map((c) => [
          c.name,
          one("SELECT COUNT(*) FROM labels l JOIN photos p ON p.id = l.photo_id WHERE l.class_id = ? AND p.status = 'ok'", c.id)
        ])
      ),
      splits: Object.fromEntries(
        db
          .prepare("SELECT split, COUNT(*) FROM photos WHERE status = 'ok' AND split IS NOT NULL GROUP BY split ORDER BY split")
          .raw()
          .all() as [string, number][]
      )
    },
    folders: (db.prepare('SELECT id FROM folders ORDER BY id').pluck().all() as number[]).map((id) =>
      one("SELECT COUNT(*) FROM photos WHERE folder_id = ? AND status = 'ok'", id)
    ),
    labelsByClass: Object.fromEntries(classRows.map((c) => [c.id, one('SELECT COUNT(*) FROM labels WHERE class_id = ?', c.id)])),
    suggestions: runs.map((run) => {
      const rows = db
        .prepare(
          `SELECT p.class_id, COUNT(*) FROM training_predictions p JOIN photos ph ON ph.id = p.photo_id
           WHERE p.run_id = ? AND ph.status = 'ok' AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.photo_id = p.photo_id)
             AND NOT EXISTS (SELECT 1 FROM prediction_rejections r WHERE r.photo_id = p.photo_id AND r.class_id = p.class_id)
           GROUP BY p.class_id`
        )
        .raw()
        .all(run) as [number, number][];
      return { total: rows.reduce((s, [, n]) => s + n, 0), byClass: Object.fromEntries(rows) };
    }),
    labels: db
      .prepare(
        'SELECT p.id, l.class_id AS label_class_id, l.source AS label_source FROM photos p LEFT JOIN labels l ON l.photo_id = p.id ORDER BY p.id'
      )
      .all()
  };
}

function keptCounts(db: Database) {
  const runs = db.prepare('SELECT id FROM training_runs ORDER BY id').pluck().all() as number[];
  return {
    stats: projectStats(db),
    folders: listFolders(db).map((f) => f.photoCount),
    labelsByClass: labelCountsByClass(db),
    classDtoCounts: Object.fromEntries(listClasses(db).map((c) => [c.id, c.count])),
    suggestions: runs.map((run) => suggestionCounts(db, run)),
    mirror: db.prepare('SELECT id, label_class_id, label_source FROM photos ORDER BY id').all()
  };
}

function expectCountsRight(db: Database): void {
  const fresh = freshCounts(db);
  const kept = keptCounts(db);
  expect(kept.stats).toEqual(fresh.stats);
  expect(kept.folders).toEqual(fresh.folders);
  expect(kept.labelsByClass).toEqual(fresh.labelsByClass);
  expect(kept.classDtoCounts).toEqual(fresh.labelsByClass);
  expect(kept.suggestions).toEqual(fresh.suggestions);
  expect(kept.mirror).toEqual(fresh.labels);
}

/** A project with two folders, three classes, labels, a trained run with predictions and rejections. */
function buildLibrary(db: Database) {
  const a = insertClass(db, { name: 'ants', color: '#000001', hotkey: '1' });
  const b = insertClass(db, { name: 'bees', color: '#000002', hotkey: '2' });
  const c = insertClass(db, { name: 'cats', color: '#000003', hotkey: '3' });
  const f1 = insertFolder(db, '/one', true);
  const f2 = insertFolder(db, '/two', false);
  const ids1 = applyFolderChanges(db, {
    folderId: f1,
    inserts: [
      photo('train/ants/1.jpg', { split: 'train', classId: a }),
      photo('train/bees/2.jpg', { split: 'train', classId: b }),
      photo('val/ants/3.jpg', { split: 'val', classId: a }),
      photo('val/bees/4.jpg', { split: 'val' }),
      photo('broken.jpg', { status: 'skipped', error: 'corrupt', hash: null })
    ],
    updates: [],
    moves: [],
    deletes: []
  });
  const ids2 = applyFolderChanges(db, {
    folderId: f2,
    inserts: Array.from({ length: 8 }, (_, i) => photo(`inbox/${i}.jpg`)),
    updates: [],
    moves: [],
    deletes: []
  });
  return { a, b, c, f1, f2, ids1, ids2 };
}

function train(db: Database, classes: { id: number; name: string }[], photoIds: number[]): number {
  const runId = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes });
  completeRun(db, { runId, backend: 'wasm', timings: {}, metrics: {}, history: [], examples: [], modelPath: '/m' });
  replacePredictions(
    db,
    runId,
    photoIds.map((photoId, i) => ({ photoId, classId: classes[i % classes.length].id, confidence: 0.5 + i / 100, probs: [] }))
  );
  return runId;
}

describe('counts kept by the database', () => {
  it('equal a fresh count after imports, labels, suggestions, rescans and every kind of delete', () => {
    const db = openDatabase(tmp.file('counts.tstudio'));
    const { a, b, c, f1, f2, ids1, ids2 } = buildLibrary(db);
    expectCountsRight(db);
    writeLabels(db, [
      { photoId: ids2[0], label: { classId: a, source: 'user' } },
      { photoId: ids2[1], label: { classId: c, source: 'model' } },
      { photoId: ids1[0], label: { classId: b, source: 'user' } },
      { photoId: ids1[2], label: null }
    ]);
    expectCountsRight(db);
    const classes = [a, b, c].map((id) => ({ id, name: String(id) }));
    const run1 = train(db, classes, [...ids1, ...ids2]);
    expectCountsRight(db);
    rejectPredictions(db, run1, [ids2[2], ids2[3]]);
    expectCountsRight(db);
    const run2 = train(db, classes.slice(0, 2), ids2);
    expectCountsRight(db);
    // Predicting again keeps a turned-down class out; forgetting the rejection brings it back.
    rejectPredictions(db, run2, [ids2[6]]);
    replacePredictions(db, run2, [{ photoId: ids2[6], classId: a, confidence: 0.7, probs: [] }]);
    expectCountsRight(db);
    db.prepare('DELETE FROM prediction_rejections WHERE photo_id = ?').run(ids2[6]);
    expectCountsRight(db);
    // Turned down in one run, the same class is no suggestion in another run either.
    const run3 = train(db, classes, [...ids1, ...ids2]);
    rejectPredictions(db, run3, [ids2[7]]);
    expectCountsRight(db);
    // Labeling a photo whose suggestion was turned down forgets the rejection; clearing brings suggestions back.
    writeLabels(db, [{ photoId: ids2[2], label: { classId: b, source: 'user' } }]);
    writeLabels(db, [
      { photoId: ids2[2], label: null },
      { photoId: ids2[4], label: { classId: a, source: 'model' } }
    ]);
    expectCountsRight(db);
    // A rescan: one photo moves to another split, one turns unreadable (its label goes), one is deleted.
    applyFolderChanges(db, {
      folderId: f1,
      inserts: [photo('train/ants/5.jpg', { split: 'train', classId: a })],
      updates: [{ ...photo('train/bees/2.jpg', { status: 'skipped', error: 'truncated' }), id: ids1[1] }],
      moves: [{ id: ids1[3], relPath: 'train/bees/4.jpg', size: 1, mtime: 0, split: 'train' }],
      deletes: [ids1[2]]
    });
    markPhotoSkipped(db, ids2[5], 'corrupt');
    expectCountsRight(db);
    mergeClasses(db, c, a);
    expectCountsRight(db);
    deleteClass(db, b);
    expectCountsRight(db);
    db.prepare('DELETE FROM training_runs WHERE id = ?').run(run2);
    expectCountsRight(db);
    deleteFolder(db, f2);
    expectCountsRight(db);
    deleteFolder(db, f1);
    expectCountsRight(db);
    expect(projectStats(db)).toMatchObject({ photos: 0, labeled: 0, skipped: 0 });
    db.close();
  });

  it('are right after migrating a project that already holds photos, labels, predictions and rejections', () => {
    const file = tmp.file('old.tstudio');
    const beforeCounts = migrations.findIndex((m) => m.name === 'library-counts');
    const old = openDatabase(file, { migrations: migrations.slice(0, beforeCounts) });
    const { a, b, ids1, ids2 } = buildLibrary(old);
    writeLabels(old, [{ photoId: ids2[0], label: { classId: b, source: 'model' } }]);
    const run = train(
      old,
      [a, b].map((id) => ({ id, name: String(id) })),
      [...ids1, ...ids2]
    );
    rejectPredictions(old, run, [ids2[1]]);
    old.prepare("UPDATE photos SET status = 'skipped' WHERE id = ?").run(ids2[2]);
    const expected = freshCounts(old);
    old.close();

    const db = openDatabase(file);
    expect(freshCounts(db)).toEqual(expected);
    expectCountsRight(db);
    // And they keep up with writes made after the upgrade.
    writeLabels(db, [{ photoId: ids2[3], label: { classId: a, source: 'user' } }]);
    deleteFolder(db, insertFolder(db, '/empty', false));
    expectCountsRight(db);
    db.close();
  });
});
