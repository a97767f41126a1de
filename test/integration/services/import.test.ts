import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../src/shared/dto';
import { openDatabase } from '../../../src/main/db/database';
import { createTestProject, photosByPath, writePhoto, type TestProject } from './fixtures';

let t: TestProject;
beforeEach(() => {
  t = createTestProject();
});
afterEach(() => t.cleanup());

function reasonFor(result: { skipped: { path: string; reason: string }[] }, name: string): string | undefined {
  return result.skipped.find((s) => path.basename(s.path) === name)?.reason;
}

describe('importing a folder', () => {
  it('finds photos recursively, with any extension case, spaces and non-ASCII names', async () => {
    await writePhoto(path.join(t.photos, 'a.jpg'));
    await writePhoto(path.join(t.photos, 'deep/er/B.JPEG'));
    await writePhoto(path.join(t.photos, 'Ünïcødé ñame 写真.Jpg'));
    await writePhoto(path.join(t.photos, 'with space/shot 1.PNG'), { format: 'png' });
    writeFileSync(path.join(t.photos, 'notes.txt'), 'not a photo');
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.added).toBe(4);
    expect([...(await photosByPath(t.api)).keys()].sort()).toEqual(
      ['a.jpg', 'deep/er/B.JPEG', 'with space/shot 1.PNG', 'Ünïcødé ñame 写真.Jpg'].sort()
    );
  });

  it('records a JPEG truncated to 60 % as skipped, saying so in plain words, and keeps going', async () => {
    const data = await writePhoto(path.join(t.photos, 'broken.jpg'), { width: 300, height: 200 });
    writeFileSync(path.join(t.photos, 'broken.jpg'), data.subarray(0, Math.floor(data.length * 0.6)));
    await writePhoto(path.join(t.photos, 'fine.jpg'));
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.photos).toBe(1);
    expect(reasonFor(result, 'broken.jpg')).toBe(
      'truncated: the file ends before the picture does (an interrupted copy or download?); copy it again from its source'
    );
  });

  it('calls a JPEG cut off inside its header corrupt, not "not an image"', async () => {
    const data = await writePhoto(path.join(t.photos, 'cut.jpg'), { width: 300, height: 200 });
    writeFileSync(path.join(t.photos, 'cut.jpg'), data.subarray(0, 40));
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(reasonFor(result, 'cut.jpg')).toBe('truncated or damaged JPEG file: its header cannot be read; copy it again from its source');
  });

  it('records a zero-byte file as skipped', async () => {
    writeFileSync(path.join(t.photos, 'empty.jpg'), '');
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(reasonFor(result, 'empty.jpg')).toBe('empty file (0 bytes)');
    const skipped = await t.api.invoke('photos:page', { filter: { kind: 'skipped' } });
    expect(skipped.items.map((p) => [p.name, p.status])).toEqual([['empty.jpg', 'skipped']]);
  });

  it('records a text file named .jpg as not an image', async () => {
    writeFileSync(path.join(t.photos, 'fake.jpg'), 'this is plain text, not a JPEG');
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.photos).toBe(0);
    expect(reasonFor(result, 'fake.jpg')).toMatch(/not an image/);
  });

  it('survives a symlink loop and imports each photo once', async () => {
    await writePhoto(path.join(t.photos, 'sub/one.jpg'));
    symlinkSync('..', path.join(t.photos, 'sub/loop'));
    symlinkSync(path.join(t.photos, 'self'), path.join(t.photos, 'self'));
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.photos).toBe(1);
    expect([...(await photosByPath(t.api)).keys()]).toEqual(['sub/one.jpg']);
  });

  it('does not follow a symlink out of the folder, and says so', async () => {
    const outside = path.join(t.dir, 'elsewhere/out.jpg');
    await writePhoto(outside);
    symlinkSync(outside, path.join(t.photos, 'link.jpg'));
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.photos).toBe(0);
    expect(reasonFor(result, 'link.jpg')).toMatch(/outside this folder/);
  });

  it('skips exact duplicates, inside the folder and against photos already imported', async () => {
    const data = await writePhoto(path.join(t.photos, 'a/original.jpg'));
    mkdirSync(path.join(t.photos, 'b'));
    writeFileSync(path.join(t.photos, 'b/copy.jpg'), data);
    const other = path.join(t.dir, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'again.jpg'), data);
    const first = await t.api.invoke('folders:add', { path: t.photos });
    expect([first.added, first.duplicates]).toEqual([1, 1]);
    const second = await t.api.invoke('folders:add', { path: other });
    expect([second.added, second.duplicates, second.photos]).toEqual([0, 1, 1]);
  });

  it('reports width and height after EXIF orientation', async () => {
    await writePhoto(path.join(t.photos, 'rotated.jpg'), { width: 60, height: 20, orientation: 6 });
    await t.api.invoke('folders:add', { path: t.photos });
    const page = await t.api.invoke('photos:page', {});
    expect([page.items[0].width, page.items[0].height]).toEqual([20, 60]);
  });

  it('takes classes and splits from folder names (ImageFolder convention)', async () => {
    await writePhoto(path.join(t.photos, 'train/cats/1.jpg'));
    await writePhoto(path.join(t.photos, 'train/dogs/2.jpg'));
    await writePhoto(path.join(t.photos, 'Validation/dogs/3.jpg'));
    await writePhoto(path.join(t.photos, 'test/cats/4.jpg'));
    await writePhoto(path.join(t.photos, 'train/loose.jpg'));
    const result = await t.api.invoke('folders:add', { path: t.photos, classesFromFolders: true });
    expect(result.classes).toEqual({ cats: 2, dogs: 2 });
    expect(result.splits).toEqual({ test: 1, train: 3, val: 1 });
    expect(result.photos).toBe(5);
  });

  it('without the option, a folder named val or train is no split: training validates on a seeded 20% instead', async () => {
    for (let i = 0; i < 5; i++) await writePhoto(path.join(t.photos, `val/a${i}.jpg`));
    for (let i = 0; i < 5; i++) await writePhoto(path.join(t.photos, `train/b${i}.jpg`));
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.splits).toEqual({});
    const ants = await t.api.invoke('classes:add', { name: 'ants' });
    const bees = await t.api.invoke('classes:add', { name: 'bees' });
    const byPath = await photosByPath(t.api);
    const idsOf = (prefix: string) => [...byPath].filter(([p]) => p.startsWith(prefix)).map(([, photo]) => photo.id);
    await t.api.invoke('labels:assign', { photoIds: idsOf('val/'), classId: ants.id });
    await t.api.invoke('labels:assign', { photoIds: idsOf('train/'), classId: bees.id });
    const plan = await t.api.invoke('training:plan', {});
    expect(plan.splitSource).toBe('random');
    expect(plan.classes.map((c) => [c.name, c.train, c.val])).toEqual([
      ['ants', 4, 1],
      ['bees', 4, 1]
    ]);
  });

  it('a rescan forgets splits a folder without the option recorded before they needed asking for', async () => {
    await writePhoto(path.join(t.photos, 'val/a.jpg'));
    const { folderId } = await t.api.invoke('folders:add', { path: t.photos });
    const db = openDatabase(path.join(t.dir, 'project.tstudio'));
    db.prepare("UPDATE photos SET split = 'val' WHERE folder_id = ?").run(folderId);
    db.close();
    expect((await t.api.invoke('stats:get')).splits).toEqual({ val: 1 });
    await t.api.invoke('folders:rescan', {});
    expect((await t.api.invoke('stats:get')).splits).toEqual({});
  });

  it('without the option, folder names make no classes', async () => {
    await writePhoto(path.join(t.photos, 'cats/1.jpg'));
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.classes).toEqual({});
  });

  it('emits progress for each phase, ending at done === total', async () => {
    for (let i = 0; i < 5; i++) await writePhoto(path.join(t.photos, `p${i}.jpg`));
    const events: ImportProgress[] = [];
    t.api.on('import:progress', (p) => events.push(p));
    await t.api.invoke('folders:add', { path: t.photos });
    for (const phase of ['scan', 'hash', 'thumbnails'] as const) {
      const last = events.filter((e) => e.phase === phase).at(-1);
      expect(last).toMatchObject({ done: 5, total: 5 });
    }
  });

  it('never modifies a photo', async () => {
    const file = path.join(t.photos, 'keep.jpg');
    const before = await writePhoto(file, { orientation: 6 });
    await t.api.invoke('folders:add', { path: t.photos });
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('imports a BMP through its own decoder', async () => {
    writeFileSync(path.join(t.photos, 'paint.bmp'), makeBmp(5, 3));
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.skipped).toEqual([]);
    const page = await t.api.invoke('photos:page', {});
    expect([page.items[0].width, page.items[0].height]).toEqual([5, 3]);
    const thumb = await t.app.photoFile(page.items[0].id, 'thumb');
    expect(thumb.contentType).toBe('image/jpeg');
  });

  it('fails with NOT_FOUND for a folder that does not exist', async () => {
    await expect(t.api.invoke('folders:add', { path: path.join(t.dir, 'nope') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

/** A 24-bit bottom-up BMP with a gradient. */
function makeBmp(width: number, height: number): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const buf = Buffer.alloc(54 + stride * height);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) buf.fill(x * 40 + y * 20, 54 + y * stride + x * 3, 54 + y * stride + x * 3 + 3);
  return buf;
}
