/**
 * Resuming a weights download when the `.part` on disk already reaches the end of the file: the
 * server answers the Range request with 416, and the part is kept when its md5 matches the
 * manifest, or dropped and downloaded again when it does not. A local HTTP server stands in for
 * the weights host.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adoptPartialDownload, fetchWeights } from '../../../src/main/engine/fetch-weights';
import { testManifest } from '../../helpers/test-manifest';

const payload = randomBytes(48 * 1024);
let server: Server;
let url: string;
let dir: string;
/** The Range header of every request the server got (null: none). */
let requests: (string | null)[] = [];

const manifest = testManifest(payload, { id: 'tiny', displayName: 'Tiny', file: 'tiny.h5', url: 'http://example.invalid/tiny.h5' });

/** Serves `payload` with byte ranges, as a static file host does (416 past the end). */
function serveWithRanges(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const range = req.headers.range ?? null;
  requests.push(range);
  const start = range === null ? 0 : Number(/^bytes=(\d+)-$/.exec(range)?.[1] ?? NaN);
  if (!Number.isInteger(start) || start >= payload.length) {
    res.writeHead(416, { 'Content-Range': `bytes */${payload.length}` }).end();
    return;
  }
  const body = payload.subarray(start);
  const headers = { 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' };
  if (range === null) res.writeHead(200, headers).end(body);
  else res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${payload.length - 1}/${payload.length}` }).end(body);
}

beforeAll(async () => {
  server = createServer(serveWithRanges);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/tiny.h5`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests = [];
  dir = mkdtempSync(path.join(tmpdir(), 'fetch-weights-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

function fetchTiny(): Promise<string> {
  return fetchWeights(manifest, { targetDir: dir, url, timeoutMs: 5000 });
}

describe('fetchWeights with a part already on disk', () => {
  it('finishes a complete part whose md5 matches without downloading it again', async () => {
    writeFileSync(path.join(dir, 'tiny.h5.part'), payload);
    const target = await fetchTiny();
    expect(target).toBe(path.join(dir, 'tiny.h5'));
    expect(readFileSync(target).equals(payload)).toBe(true);
    expect(existsSync(`${target}.part`)).toBe(false);
    expect(requests).toEqual([`bytes=${payload.length}-`]);
  });

  it('drops a complete-length part with the wrong md5 and downloads the file from scratch', async () => {
    const corrupt = Buffer.from(payload);
    corrupt[100] ^= 0xff;
    writeFileSync(path.join(dir, 'tiny.h5.part'), corrupt);
    const target = await fetchTiny();
    expect(readFileSync(target).equals(payload)).toBe(true);
    expect(existsSync(`${target}.part`)).toBe(false);
    expect(requests).toEqual([`bytes=${payload.length}-`, null]);
  });

  it('drops a part longer than the file and downloads the file from scratch', async () => {
    writeFileSync(path.join(dir, 'tiny.h5.part'), Buffer.concat([payload, Buffer.from('trailing junk')]));
    const target = await fetchTiny();
    expect(readFileSync(target).equals(payload)).toBe(true);
    expect(requests).toEqual([`bytes=${payload.length + 13}-`, null]);
  });

  it('still resumes a part that is only partway there', async () => {
    writeFileSync(path.join(dir, 'tiny.h5.part'), payload.subarray(0, 1000));
    const target = await fetchTiny();
    expect(readFileSync(target).equals(payload)).toBe(true);
    expect(requests).toEqual(['bytes=1000-']);
  });
});

describe('a part the app left in the user models folder', () => {
  it('is moved beside the manifest, so the command line fetch asks only for the rest', async () => {
    const appDir = path.join(dir, 'user-models', 'tiny');
    mkdirSync(appDir, { recursive: true });
    writeFileSync(path.join(appDir, 'tiny.h5.part'), payload.subarray(0, 2000));
    expect(adoptPartialDownload(manifest, appDir, dir)).toBe(2000);
    expect(existsSync(path.join(appDir, 'tiny.h5.part'))).toBe(false);
    const target = await fetchTiny();
    expect(readFileSync(target).equals(payload)).toBe(true);
    expect(requests).toEqual(['bytes=2000-']);
  });

  it('is left alone when the target folder has a part of its own, or there is none', () => {
    const appDir = path.join(dir, 'user-models', 'tiny');
    mkdirSync(appDir, { recursive: true });
    expect(adoptPartialDownload(manifest, appDir, dir)).toBeNull();
    writeFileSync(path.join(appDir, 'tiny.h5.part'), payload.subarray(0, 2000));
    writeFileSync(path.join(dir, 'tiny.h5.part'), payload.subarray(0, 500));
    expect(adoptPartialDownload(manifest, appDir, dir)).toBeNull();
    expect(statSync(path.join(appDir, 'tiny.h5.part')).size).toBe(2000);
    expect(statSync(path.join(dir, 'tiny.h5.part')).size).toBe(500);
  });
});
