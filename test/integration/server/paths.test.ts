/**
 * Only the built renderer and the project's photos are ever served: traversal attempts, hidden
 * files, symlinks out of the web root and ids of photos not in the project all answer 404.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PhotoDto } from '../../../src/shared/dto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, invokeOverHttp, rawRequest, writePhotoTree } from './fixtures';
import { SECRET, startTestServer, type TestServer } from './test-server';

let t: TestServer;
let kept: PhotoDto[];
let removed: PhotoDto[];

async function photosOf(folderId: number): Promise<PhotoDto[]> {
  const res = await invokeOverHttp(t.port, t.token, 'photos:page', { limit: 1000 });
  const page = res.json() as { data: { items: PhotoDto[] } };
  return page.data.items.filter((p) => p.folderId === folderId && p.status === 'ok');
}

beforeAll(async () => {
  t = await startTestServer();
  await writePhotoTree(join(t.dir, 'keep'), { cats: 2 });
  await writePhotoTree(join(t.dir, 'gone'), { dogs: 2 });
  const a = (await invokeOverHttp(t.port, t.token, 'folders:add', { path: join(t.dir, 'keep') })).json() as { data: { folderId: number } };
  const b = (await invokeOverHttp(t.port, t.token, 'folders:add', { path: join(t.dir, 'gone') })).json() as { data: { folderId: number } };
  kept = await photosOf(a.data.folderId);
  removed = await photosOf(b.data.folderId);
  await invokeOverHttp(t.port, t.token, 'folders:remove', { folderId: b.data.folderId });
});
afterAll(async () => {
  await t.close();
});

describe('photo route', () => {
  it('serves a project photo with its content type, byte for byte', async () => {
    const photo = kept[0];
    const res = await rawRequest(t.port, `/photo/full/${photo.id}?token=${t.token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.body.equals(readFileSync(join(t.dir, 'keep', photo.relPath)))).toBe(true);
  });

  it('serves a thumbnail with a Cache-Control that lets the browser keep it', async () => {
    const res = await rawRequest(t.port, `/photo/thumb/${kept[0].id}`, { headers: bearer(t.token) });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\//);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    const again = await rawRequest(t.port, `/photo/thumb/${kept[0].id}`, {
      headers: { ...bearer(t.token), 'If-None-Match': String(res.headers.etag) }
    });
    expect(again.status).toBe(304);
  });

  it('answers 404 for a photo of a folder removed from the project', async () => {
    expect(removed.length).toBe(2);
    for (const variant of ['full', 'thumb']) {
      const res = await rawRequest(t.port, `/photo/${variant}/${removed[0].id}?token=${t.token}`);
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it.each(['/photo/full/999999', '/photo/full/0', '/photo/full/-1', '/photo/full/1.5', '/photo/full/abc', '/photo/huge/1', '/photo/full'])(
    '%s answers 404',
    async (path) => {
      const res = await rawRequest(t.port, `${path}?token=${t.token}`);
      expect(res.status).toBe(404);
    }
  );
});

const traversals = [
  '/photo/full/..%2F..%2Fetc%2Fpasswd',
  '/photo/full/..%2f..%2f..%2fsecret.txt',
  '/photo/thumb/1/../../../etc/passwd',
  '/../secret.txt',
  '/../package.json',
  '/..%2Fsecret.txt',
  '/%2e%2e/secret.txt',
  '/%2e%2e%2fsecret.txt',
  '/assets/..%2F..%2Fsecret.txt',
  '/assets/%2e%2e/%2e%2e/secret.txt',
  '/assets/%252e%252e/%252e%252e/secret.txt',
  '/..%5csecret.txt',
  '/assets/..%5c..%5csecret.txt',
  '/assets/link.txt',
  '/.env',
  '/%2eenv',
  '/etc/passwd',
  '//etc/passwd',
  '/assets/app.js%00.txt'
];

describe('traversal', () => {
  it.each(traversals)('%s never serves a file outside the web root', async (path) => {
    const sep = path.includes('?') ? '&' : '?';
    const res = await rawRequest(t.port, `${path}${sep}token=${t.token}`);
    expect([400, 404]).toContain(res.status);
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toContain('root:');
    expect(res.text).not.toContain('"name": "transfer-studio"');
  });

  it('still serves the real assets', async () => {
    const res = await rawRequest(t.port, `/assets/app.js?token=${t.token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
  });
});

describe('explain:photo over HTTP', () => {
  it('refuses a path (a page must not read any image on the disk through the model) and asks for the bytes', async () => {
    const res = await invokeOverHttp(t.port, t.token, 'explain:photo', { path: join(t.dir, 'keep', 'cats', 'cats-0.jpg') });
    expect(res.status).toBe(403);
    expect(res.json()).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Here the image itself must be sent, not a path.' } });
  });
});
