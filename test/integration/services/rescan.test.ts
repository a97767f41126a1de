import { existsSync, mkdirSync, renameSync, rmSync, unlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestProject, photosByPath, writePhoto, type TestProject } from './fixtures';

let t: TestProject;
let folderId: number;
let classId: number;

beforeEach(async () => {
  t = createTestProject();
  await writePhoto(path.join(t.photos, 'a.jpg'));
  await writePhoto(path.join(t.photos, 'b.jpg'));
  await writePhoto(path.join(t.photos, 'sub/c.jpg'));
  folderId = (await t.api.invoke('folders:add', { path: t.photos })).folderId;
  classId = (await t.api.invoke('classes:add', { name: 'keep' })).id;
  const ids = [...(await photosByPath(t.api)).values()].map((p) => p.id);
  await t.api.invoke('labels:assign', { photoIds: ids, classId });
});
afterEach(() => t.cleanup());

describe('rescanning a folder', () => {
  it('keeps the label of a renamed photo (same content hash)', async () => {
    const before = (await photosByPath(t.api)).get('a.jpg');
    renameSync(path.join(t.photos, 'a.jpg'), path.join(t.photos, 'renamed.jpg'));
    const [result] = await t.api.invoke('folders:rescan', { folderId });
    expect([result.moved, result.added, result.removed]).toEqual([1, 0, 0]);
    expect((await photosByPath(t.api)).get('renamed.jpg')).toEqual(before);
  });

  it('keeps the label of a photo moved into another subfolder', async () => {
    mkdirSync(path.join(t.photos, 'moved/deeper'), { recursive: true });
    renameSync(path.join(t.photos, 'sub/c.jpg'), path.join(t.photos, 'moved/deeper/c.jpg'));
    await t.api.invoke('folders:rescan', { folderId });
    expect((await photosByPath(t.api)).get('moved/deeper/c.jpg')?.classId).toBe(classId);
  });

  it('removes deleted photos and adds new ones', async () => {
    unlinkSync(path.join(t.photos, 'b.jpg'));
    await writePhoto(path.join(t.photos, 'new.jpg'));
    const [result] = await t.api.invoke('folders:rescan', {});
    expect([result.added, result.removed, result.photos]).toEqual([1, 1, 3]);
    expect([...(await photosByPath(t.api)).keys()].sort()).toEqual(['a.jpg', 'new.jpg', 'sub/c.jpg']);
  });

  it('re-reads a changed file and keeps its label', async () => {
    const file = path.join(t.photos, 'a.jpg');
    await writePhoto(file, { width: 70, height: 50 });
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const [result] = await t.api.invoke('folders:rescan', { folderId });
    expect(result.updated).toBe(1);
    const photo = await t.api.invoke('photos:get', { id: (await photosByPath(t.api)).get('a.jpg')!.id });
    expect([photo.width, photo.height, photo.classId]).toEqual([70, 50, classId]);
  });

  it('leaves unchanged files alone (nothing rehashed)', async () => {
    const [result] = await t.api.invoke('folders:rescan', { folderId });
    expect([result.added, result.updated, result.removed, result.moved]).toEqual([0, 0, 0, 0]);
  });

  it('reports a vanished folder as not present and keeps its photos and labels', async () => {
    renameSync(t.photos, `${t.photos}-away`);
    await expect(t.api.invoke('folders:rescan', { folderId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await t.api.invoke('folders:rescan', {})).toEqual([]);
    const [folder] = await t.api.invoke('folders:list');
    expect([folder.present, folder.photoCount]).toEqual([false, 3]);
    expect((await t.api.invoke('stats:get')).labeled).toBe(3);
  });

  it('treats a folder emptied at the top (unmounted drive) as absent, not as deletions', async () => {
    rmSync(path.join(t.photos), { recursive: true });
    mkdirSync(t.photos);
    await expect(t.api.invoke('folders:rescan', { folderId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.api.invoke('stats:get')).photos).toBe(3);
  });

  it('removing a folder removes its photos and labels from the project, not from disk', async () => {
    const result = await t.api.invoke('folders:remove', { folderId });
    expect(result.removedPhotos).toBe(3);
    expect(await t.api.invoke('stats:get')).toMatchObject({ photos: 0, labeled: 0, classes: { keep: 0 } });
    expect(existsSync(path.join(t.photos, 'a.jpg'))).toBe(true);
  });

  it('adding the same folder again rescans instead of duplicating', async () => {
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect([result.folderId, result.photos, result.added]).toEqual([folderId, 3, 0]);
    expect(await t.api.invoke('folders:list')).toHaveLength(1);
  });
});
