import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHANNELS, type ApiClient } from '../../../src/shared/contract';
import type { ProjectInfo } from '../../../src/shared/dto';
import { createApp, createDirectClient, defaultProjectPath } from '../../../src/main/services/app';
import { localAppOptions } from '../../../src/main/server/app-options';
import { createTestProject, photosByPath, writePhoto, type TestProject } from './fixtures';

let t: TestProject;
beforeEach(() => {
  t = createTestProject();
});
afterEach(() => t.cleanup());

describe('the composition root', () => {
  it('registers a handler for exactly the channels on the allow-list', () => {
    expect(Object.keys(t.app.handlers).sort()).toEqual([...CHANNELS].sort());
  });

  it('rejects an unknown channel with INVALID_REQUEST', async () => {
    expect(await t.app.dispatch('fs:read', {})).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('rejects a malformed request with a readable INVALID_REQUEST', async () => {
    const envelope = await t.app.dispatch('labels:assign', { photoIds: [], classId: 'x' });
    expect(envelope.ok).toBe(false);
    if (!envelope.ok) {
      expect(envelope.error.code).toBe('INVALID_REQUEST');
      expect(envelope.error.message).toMatch(/photoIds/);
    }
  });

  it('rejects unknown fields (strict schemas)', async () => {
    const envelope = await t.app.dispatch('folders:add', { path: t.photos, extra: true });
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it.each([
    ['folders:add', { path: 'photos/holiday' }],
    ['project:open', { path: 'other.tstudio' }],
    ['training:export', { runId: 1, outDir: 'relative/out' }]
  ])("refuses a relative path on %s: the main side's working folder means nothing to the user", async (channel, req) => {
    const envelope = await t.app.dispatch(channel, req);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    if (!envelope.ok) expect(envelope.error.message).toMatch(/absolute path/);
  });

  it('fills defaults and answers in an ok envelope', async () => {
    expect(await t.app.dispatch('photos:page', {})).toEqual({ ok: true, data: { total: 0, offset: 0, items: [] } });
  });

  it('puts the default project under <userData>/projects', () => {
    expect(defaultProjectPath('/u')).toBe(path.join('/u', 'projects', 'default.tstudio'));
  });
});

describe('serving photo files', () => {
  it('serves a thumbnail and the original of an imported photo', async () => {
    await writePhoto(path.join(t.photos, 'x.jpg'), { width: 600, height: 300 });
    await t.api.invoke('folders:add', { path: t.photos });
    const [{ id }] = [...(await photosByPath(t.api)).values()];
    expect(await t.app.photoFile(id, 'full')).toMatchObject({ path: path.join(t.photos, 'x.jpg') });
    const thumb = await t.app.photoFile(id, 'thumb');
    expect(thumb.contentType).toBe('image/jpeg');
    if (!('data' in thumb)) throw new Error('a thumbnail comes as bytes');
    expect(await sharp(thumb.data).metadata()).toMatchObject({ format: 'jpeg', width: 256, height: 128 });
  });

  it('refuses an original that was swapped for a symlink leading outside the folders', async () => {
    const file = path.join(t.photos, 'x.jpg');
    await writePhoto(file);
    await t.api.invoke('folders:add', { path: t.photos });
    const [{ id }] = [...(await photosByPath(t.api)).values()];
    writeFileSync(path.join(t.dir, 'secret.jpg'), 'secret');
    unlinkSync(file);
    symlinkSync(path.join(t.dir, 'secret.jpg'), file);
    await expect(t.app.photoFile(id, 'full')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('an unwritable thumbnail cache is an IO_ERROR and leaves the photo readable and labeled', async () => {
    await writePhoto(path.join(t.photos, 'cats', 'x.jpg'));
    await t.api.invoke('folders:add', { path: t.photos, classesFromFolders: true });
    const [{ id, classId }] = [...(await photosByPath(t.api)).values()];
    expect(classId).not.toBeNull();
    // The cache database replaced by a folder: the cache cannot be opened or written, like a
    // full or broken disk, in the app that opens the project next.
    t.app.close();
    rmSync(path.join(t.dir, 'cache'), { recursive: true, force: true });
    mkdirSync(path.join(t.dir, 'cache', 'thumbnails.sqlite'), { recursive: true });
    const app = createApp(localAppOptions({ project: path.join(t.dir, 'project.tstudio'), userData: t.dir, transport: 'direct' }));
    try {
      await expect(app.photoFile(id, 'thumb')).rejects.toMatchObject({ code: 'IO_ERROR' });
      expect(await createDirectClient(app).invoke('photos:get', { id })).toMatchObject({ status: 'ok', classId });
    } finally {
      app.close();
    }
  });

  it('an import whose thumbnails cannot be written fails with IO_ERROR instead of skipping the photos', async () => {
    await writePhoto(path.join(t.photos, 'y.jpg'));
    writeFileSync(path.join(t.dir, 'cache'), '');
    await expect(t.api.invoke('folders:add', { path: t.photos })).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect((await t.api.invoke('stats:get')).skipped).toBe(0);
  });

  it('answers NOT_FOUND for an unknown photo id', async () => {
    await expect(t.app.photoFile(12345, 'thumb')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('switching projects', () => {
  it('creates a new project, announces it, and opens the old one again with its data', async () => {
    await writePhoto(path.join(t.photos, 'x.jpg'));
    await t.api.invoke('folders:add', { path: t.photos });
    const seen: ProjectInfo[] = [];
    t.api.on('project:changed', (p) => seen.push(p));
    const created = await t.api.invoke('project:create', { path: path.join(t.dir, 'second.tstudio') });
    expect(created).toMatchObject({ name: 'second', schemaVersion: expect.any(Number) });
    expect((await t.api.invoke('stats:get')).photos).toBe(0);
    await t.api.invoke('project:open', { path: path.join(t.dir, 'project.tstudio') });
    expect((await t.api.invoke('stats:get')).photos).toBe(1);
    expect(seen.map((p) => p.name)).toEqual(['second', 'project']);
  });

  it('rescans the folders of a project when it is opened', async () => {
    await writePhoto(path.join(t.photos, 'x.jpg'));
    await t.api.invoke('folders:add', { path: t.photos });
    await t.api.invoke('project:create', { path: path.join(t.dir, 'second.tstudio') });
    await writePhoto(path.join(t.photos, 'added-while-closed.jpg'));
    const rescanned = new Promise<void>((resolve) => t.api.on('library:changed', (e) => e.reason === 'rescan' && resolve()));
    await t.api.invoke('project:open', { path: path.join(t.dir, 'project.tstudio') });
    await rescanned;
    expect((await t.api.invoke('stats:get')).photos).toBe(2);
  });

  it('refuses to create over an existing file, and to open a missing one', async () => {
    await expectCode(t.api, 'project:create', path.join(t.dir, 'project.tstudio'), 'CONFLICT');
    await expectCode(t.api, 'project:open', path.join(t.dir, 'missing.tstudio'), 'NOT_FOUND');
  });

  it('refuses a file that is not a project and keeps the current one open', async () => {
    const bogus = path.join(t.dir, 'notes.tstudio');
    writeFileSync(bogus, 'just some text, definitely not SQLite '.repeat(50));
    await expectCode(t.api, 'project:open', bogus, 'PROJECT_INVALID');
    expect((await t.api.invoke('project:current'))?.name).toBe('project');
  });
});

async function expectCode(api: ApiClient, channel: 'project:open' | 'project:create', file: string, code: string): Promise<void> {
  await expect(api.invoke(channel, { path: file })).rejects.toMatchObject({ code });
}
