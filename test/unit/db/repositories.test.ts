import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/db/database';
import { deleteClass, insertClass, listClasses, mergeClasses, reorderClasses } from '../../../src/main/db/class-repository';
import { deleteFolder, insertFolder, listFolders } from '../../../src/main/db/folder-repository';
import { currentLabels, writeLabels } from '../../../src/main/db/label-repository';
import { getPhoto, pagePhotos, photoIds, type PhotoQuery } from '../../../src/main/db/photo-query';
import { applyFolderChanges, listFolderFiles, okHashIndex, type NewPhoto } from '../../../src/main/db/photo-repository';
import { projectStats } from '../../../src/main/db/stats-repository';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let db: Database;
let folderId: number;

beforeEach(() => {
  tmp = tempDir();
  db = openDatabase(tmp.file('repo.tstudio'));
  folderId = insertFolder(db, '/photos', false);
});
afterEach(() => {
  db.close();
  tmp.remove();
});

function photo(relPath: string, extra: Partial<NewPhoto> = {}): NewPhoto {
  return {
    relPath,
    size: 10,
    mtime: 1000,
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

const all: PhotoQuery = { filter: { kind: 'all' }, search: '', sort: 'name' };

describe('photo repository', () => {
  it('writes a folder scan in one transaction and reads it back', () => {
    const [a] = applyFolderChanges(db, { folderId, inserts: [photo('x/a.jpg'), photo('b.jpg')], updates: [], moves: [], deletes: [] });
    applyFolderChanges(db, {
      folderId,
      inserts: [],
      updates: [],
      moves: [{ id: a, relPath: 'y/a2.jpg', size: 10, mtime: 1000, split: 'train' }],
      deletes: []
    });
    expect(getPhoto(db, a)).toMatchObject({ relPath: 'y/a2.jpg', name: 'a2.jpg', split: 'train', status: 'ok' });
    expect(listFolderFiles(db, folderId)).toHaveLength(2);
    expect(okHashIndex(db).get('h-x/a.jpg')).toBe(a);
  });

  it('rolls the whole scan back when one row fails', () => {
    // The same path twice is an upsert now (two processes may import one folder); a status the
    // schema refuses still fails the row, and with it the whole scan.
    const bad = photo('bad.jpg', { status: 'weird' as 'ok' });
    expect(() => applyFolderChanges(db, { folderId, inserts: [photo('ok.jpg'), bad], updates: [], moves: [], deletes: [] })).toThrow();
    expect(listFolderFiles(db, folderId)).toEqual([]);
  });

  it('an insert of a path another process has just added updates that row and keeps its label', () => {
    const cls = insertClass(db, { name: 'ants', color: '#000000', hotkey: null });
    const [first] = applyFolderChanges(db, { folderId, inserts: [photo('a.jpg', { classId: cls })], updates: [], moves: [], deletes: [] });
    const [again] = applyFolderChanges(db, { folderId, inserts: [photo('a.jpg', { size: 99 })], updates: [], moves: [], deletes: [] });
    expect(again).toBe(first);
    expect(listFolderFiles(db, folderId)).toMatchObject([{ id: first, relPath: 'a.jpg', size: 99 }]);
    expect(projectStats(db)).toMatchObject({ photos: 1, labeled: 1 });
  });

  it('labels photos from folder classes only when they are readable', () => {
    const cls = insertClass(db, { name: 'ants', color: '#000000', hotkey: null });
    applyFolderChanges(db, {
      folderId,
      inserts: [photo('a.jpg', { classId: cls }), photo('bad.jpg', { classId: cls, status: 'skipped', error: 'corrupt' })],
      updates: [],
      moves: [],
      deletes: []
    });
    expect(projectStats(db)).toMatchObject({ photos: 1, labeled: 1, skipped: 1, classes: { ants: 1 } });
  });

  it('deleting a folder cascades to photos and labels', () => {
    const cls = insertClass(db, { name: 'ants', color: '#000000', hotkey: null });
    applyFolderChanges(db, { folderId, inserts: [photo('a.jpg', { classId: cls })], updates: [], moves: [], deletes: [] });
    expect(deleteFolder(db, folderId)).toBe(1);
    expect(listFolders(db)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM labels').pluck().get()).toBe(0);
  });
});

describe('class and label repositories', () => {
  it('enforce unique names ignoring case and unique non-null hotkeys', () => {
    insertClass(db, { name: 'Ants', color: '#000000', hotkey: '1' });
    insertClass(db, { name: 'Bees', color: '#000000', hotkey: null });
    insertClass(db, { name: 'Cats', color: '#000000', hotkey: null });
    expect(() => insertClass(db, { name: 'ants', color: '#000000', hotkey: null })).toThrow(/UNIQUE/);
    expect(() => insertClass(db, { name: 'Dogs', color: '#000000', hotkey: '1' })).toThrow(/UNIQUE/);
  });

  it('reorder, delete and merge keep positions dense', () => {
    const a = insertClass(db, { name: 'a', color: '#000000', hotkey: null });
    const b = insertClass(db, { name: 'b', color: '#000000', hotkey: null });
    const c = insertClass(db, { name: 'c', color: '#000000', hotkey: null });
    reorderClasses(db, [c, a]);
    expect(listClasses(db).map((x) => x.name)).toEqual(['c', 'a', 'b']);
    const [p] = applyFolderChanges(db, { folderId, inserts: [photo('p.jpg', { classId: a })], updates: [], moves: [], deletes: [] });
    expect(mergeClasses(db, a, b)).toBe(1);
    expect(currentLabels(db, [p]).get(p)).toEqual({ classId: b, source: 'user' });
    expect(deleteClass(db, c)).toBe(0);
    expect(listClasses(db).map((x) => [x.name, x.position, x.count])).toEqual([['b', 0, 1]]);
  });

  it('writeLabels upserts, clears, and passes over photos that are gone', () => {
    const a = insertClass(db, { name: 'a', color: '#000000', hotkey: null });
    const [p] = applyFolderChanges(db, { folderId, inserts: [photo('p.jpg')], updates: [], moves: [], deletes: [] });
    writeLabels(db, [
      { photoId: p, label: { classId: a, source: 'model' } },
      { photoId: 999, label: { classId: a, source: 'user' } }
    ]);
    expect(currentLabels(db, [p, 999])).toEqual(new Map([[p, { classId: a, source: 'model' }]]));
    writeLabels(db, [{ photoId: p, label: null }]);
    expect(currentLabels(db, [p]).get(p)).toBeNull();
  });
});

describe('photo paging', () => {
  beforeEach(() => {
    const a = insertClass(db, { name: 'a', color: '#000000', hotkey: null });
    const b = insertClass(db, { name: 'b', color: '#000000', hotkey: null });
    applyFolderChanges(db, {
      folderId,
      inserts: [
        photo('train/Zebra.jpg', { mtime: 1, split: 'train', classId: b }),
        photo('train/apple 100%.jpg', { mtime: 3, split: 'train', classId: a }),
        photo('val/mango.jpg', { mtime: 2, split: 'val' }),
        photo('broken.jpg', { status: 'skipped', error: 'corrupt', hash: null })
      ],
      updates: [],
      moves: [],
      deletes: []
    });
  });
  const names = (q: Partial<PhotoQuery>): string[] => pagePhotos(db, { ...all, ...q }, 0, 100).items.map((p) => p.name);

  it('filters by status, label, class and split', () => {
    expect(names({})).toEqual(['apple 100%.jpg', 'mango.jpg', 'Zebra.jpg']);
    expect(names({ filter: { kind: 'unlabeled' } })).toEqual(['mango.jpg']);
    expect(names({ filter: { kind: 'labeled' } })).toEqual(['apple 100%.jpg', 'Zebra.jpg']);
    expect(names({ filter: { kind: 'skipped' } })).toEqual(['broken.jpg']);
    expect(names({ filter: { kind: 'class', classId: 2 } })).toEqual(['Zebra.jpg']);
    expect(names({ filter: { kind: 'split', split: 'val' } })).toEqual(['mango.jpg']);
  });

  it('searches names case-insensitively, taking % and _ literally', () => {
    expect(names({ search: 'ZEB' })).toEqual(['Zebra.jpg']);
    expect(names({ search: '100%' })).toEqual(['apple 100%.jpg']);
    expect(names({ search: '_' })).toEqual([]);
  });

  it('sorts by name, date and class (unlabeled last)', () => {
    expect(names({ sort: 'date' })).toEqual(['Zebra.jpg', 'mango.jpg', 'apple 100%.jpg']);
    expect(names({ sort: 'class' })).toEqual(['apple 100%.jpg', 'Zebra.jpg', 'mango.jpg']);
  });

  it('pages with a total over all pages, and lists ids in grid order', () => {
    const page = pagePhotos(db, all, 1, 1);
    expect([page.total, page.offset, page.items.map((p) => p.name)]).toEqual([3, 1, ['mango.jpg']]);
    expect(photoIds(db, all)).toEqual(pagePhotos(db, all, 0, 10).items.map((p) => p.id));
  });
});

describe('photo paging at 20,000 photos', () => {
  it('reads a late page by name through the index, without sorting the table', () => {
    const inserts = Array.from({ length: 20_000 }, (_, i) => photo(`d${i % 50}/img_${String(i).padStart(5, '0')}.jpg`, { mtime: i }));
    applyFolderChanges(db, { folderId, inserts, updates: [], moves: [], deletes: [] });
    db.exec('ANALYZE');
    const page = pagePhotos(db, all, 19_990, 20);
    expect([page.total, page.items.length, page.items[0].name]).toEqual([20_000, 10, 'img_19990.jpg']);
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT p.id FROM photos p WHERE p.status = 'ok' ORDER BY p.name COLLATE NOCASE, p.id LIMIT 20 OFFSET 100`
      )
      .all() as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail).join(' ')).not.toMatch(/TEMP B-TREE/);
  });
});
