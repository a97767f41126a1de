/**
 * Both transports serve photos through one module (photo-serving.ts): serve mode's HTTP route
 * and the fetch-API Response the Electron photo protocol returns. Over a real App and real
 * JPEGs, each answers the same way: the bytes with an ETag, 304 for a matching If-None-Match,
 * HEAD without a body, and 404 for an id that is no photo or a path that is no longer a
 * regular file.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoDto } from '../../../src/shared/dto';
import { createDirectClient } from '../../../src/main/services/app';
import { replyToPhoto, toWebResponse } from '../../../src/main/server/photo-serving';
import { bearer, rawRequest, writeJpeg } from './fixtures';
import { startTestServer, type TestServer } from './test-server';

let t: TestServer;
let photos: PhotoDto[];

beforeAll(async () => {
  t = await startTestServer();
  for (let i = 0; i < 3; i++) await writeJpeg(join(t.dir, 'shots', `p${i}.jpg`), [40 * i, 90, 200 - 30 * i]);
  const client = createDirectClient(t.app);
  await client.invoke('folders:add', { path: join(t.dir, 'shots') });
  photos = (await client.invoke('photos:page', {})).items;
}, 60_000);
afterAll(async () => {
  await t.close();
});

interface Answer {
  status: number;
  etag: string | null;
  length: string | null;
  type: string | null;
  nosniff: string | null;
  body: Buffer;
}

type Transport = (path: string, init: { method?: string; ifNoneMatch?: string }) => Promise<Answer>;

/** Serve mode: GET|HEAD /photo/variant/id over real HTTP. */
const http: Transport = async (path, init) => {
  const headers: Record<string, string> = { ...bearer(t.token), ...(init.ifNoneMatch ? { 'If-None-Match': init.ifNoneMatch } : {}) };
  const res = await rawRequest(t.port, `/photo/${path}`, { method: init.method ?? 'GET', headers });
  const header = (name: string) => (res.headers[name] as string | undefined) ?? null;
  return {
    status: res.status,
    etag: header('etag'),
    length: header('content-length'),
    type: header('content-type'),
    nosniff: header('x-content-type-options'),
    body: res.body
  };
};

/** The Electron protocol's answer: the shared reply as a fetch-API Response (tstudio-photo://variant/id). */
const electron: Transport = async (path, init) => {
  const [variant, ...rest] = path.split('/');
  const reply = await replyToPhoto((id, v) => t.app.photoFile(id, v), [variant, ...rest], {
    method: init.method ?? 'GET',
    ifNoneMatch: init.ifNoneMatch ?? null
  });
  const res = toWebResponse(reply);
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    length: res.headers.get('content-length'),
    type: res.headers.get('content-type'),
    nosniff: res.headers.get('x-content-type-options'),
    body: Buffer.from(await res.arrayBuffer())
  };
};

describe.each([
  ['serve mode (HTTP)', http],
  ['Electron protocol (Response)', electron]
])('photos over %s', (_name, fetchPhoto) => {
  it('sends the original byte for byte, with its type, length and an ETag', async () => {
    const photo = photos[0];
    const bytes = readFileSync(join(t.dir, 'shots', photo.relPath));
    const res = await fetchPhoto(`full/${photo.id}`, {});
    expect(res).toMatchObject({ status: 200, type: 'image/jpeg', length: String(bytes.length), nosniff: 'nosniff' });
    expect(res.etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    expect(res.body.equals(bytes)).toBe(true);
  });

  it('answers 304 with no body when the ETag still matches, and HEAD with the headers only', async () => {
    const first = await fetchPhoto(`thumb/${photos[1].id}`, {});
    expect(first.status).toBe(200);
    const again = await fetchPhoto(`thumb/${photos[1].id}`, { ifNoneMatch: first.etag ?? '' });
    expect(again).toMatchObject({ status: 304, etag: first.etag });
    expect(again.body.length).toBe(0);
    const head = await fetchPhoto(`thumb/${photos[1].id}`, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, etag: first.etag, length: first.length });
    expect(head.body.length).toBe(0);
  });

  it('answers 404 with a JSON error to an id that is no photo and to a malformed path', async () => {
    for (const path of ['full/999999', 'full/0', 'huge/1', `full/${photos[0].id}/x`]) {
      const res = await fetchPhoto(path, {});
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

describe('a photo that is no longer a regular file', () => {
  it('answers 404 over both transports', async () => {
    const photo = photos[2];
    const file = join(t.dir, 'shots', photo.relPath);
    rmSync(file);
    mkdirSync(file);
    for (const fetchPhoto of [http, electron]) {
      const res = await fetchPhoto(`full/${photo.id}`, {});
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString('utf8'))).toMatchObject({ code: 'NOT_FOUND', message: `Photo ${photo.id} is not on disk.` });
    }
  });
});
