/**
 * A weights download over a real local HTTP server: the timeout is a wait for data, so a slow
 * transfer that keeps moving finishes however long it takes, and one that stalls ends with a
 * message; a transfer cut off midway keeps its part and says starting again resumes it (which
 * it does, with a Range request). TS_MODEL_MIRROR replaces the manifest's host.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchWeights } from '../../../src/main/engine/fetch-weights';
import { testManifest } from '../../helpers/test-manifest';
import { weightsUrl } from '../../../src/main/engine/manifests';

const payload = randomBytes(64 * 1024);
const CHUNK = 8 * 1024;
/** How the next request is answered. */
let behaviour: 'trickle' | 'stall' | 'cut-then-ranges' = 'trickle';
let requests: (string | null)[] = [];
let server: Server;
let base: string;
let dir: string;

const manifest = testManifest(payload, { id: 'tiny', displayName: 'Tiny', file: 'tiny.h5', url: 'http://example.invalid/keras/tiny.h5' });

/** Writes `body` a chunk at a time, `gapMs` apart; stops (cutting the connection) after `cutAfter` bytes. */
function trickle(res: ServerResponse, body: Buffer, gapMs: number, cutAfter = Infinity): void {
  let sent = 0;
  const next = (): void => {
    // end(), not destroy(): every byte written arrives before the connection closes short of its length.
    if (sent >= cutAfter) return void res.socket?.end();
    if (sent >= body.length) return void res.end();
    res.write(body.subarray(sent, sent + CHUNK));
    sent += CHUNK;
    setTimeout(next, gapMs);
  };
  next();
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  const range = req.headers.range ?? null;
  requests.push(range);
  const start = range === null ? 0 : Number(/^bytes=(\d+)-$/.exec(range)?.[1]);
  const body = payload.subarray(start);
  const headers: Record<string, string> = { 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' };
  if (range !== null) headers['Content-Range'] = `bytes ${start}-${payload.length - 1}/${payload.length}`;
  res.writeHead(range === null ? 200 : 206, headers);
  if (behaviour === 'trickle') trickle(res, body, 40);
  else if (behaviour === 'stall')
    trickle(res, body, 0, CHUNK); // one chunk, then nothing (socket left open)
  else trickle(res, body, 0, range === null ? payload.length / 2 : Infinity);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (behaviour === 'stall') {
      requests.push(req.headers.range ?? null);
      res.writeHead(200, { 'Content-Length': String(payload.length) });
      res.write(payload.subarray(0, CHUNK));
      return; // never ends: the client's wait for data has to end it
    }
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/mirror`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
  dir = mkdtempSync(path.join(tmpdir(), 'fetch-transfer-'));
  return () => rmSync(dir, { recursive: true, force: true });
});

describe('fetchWeights transfers', () => {
  it('finishes a transfer that takes longer than the timeout while data keeps coming', async () => {
    behaviour = 'trickle'; // 8 chunks 40 ms apart: ≈ 300 ms in all, against a 150 ms wait for data
    const target = await fetchWeights(manifest, { targetDir: dir, url: `${base}/tiny.h5`, timeoutMs: 150 });
    expect(readFileSync(target).equals(payload)).toBe(true);
  });

  it('ends a stalled transfer with a message, keeping the part to resume', async () => {
    behaviour = 'stall';
    await expect(fetchWeights(manifest, { targetDir: dir, url: `${base}/tiny.h5`, timeoutMs: 300 })).rejects.toThrow(
      /stopped after 0\.0 MB of 0\.1 MB \(no data came for a while\)\. Start it again: it resumes/
    );
    expect(statSync(path.join(dir, 'tiny.h5.part')).size).toBe(CHUNK);
    expect(existsSync(path.join(dir, 'tiny.h5'))).toBe(false);
  });

  it('says a cut-off transfer resumes, and the next try asks only for the rest', async () => {
    behaviour = 'cut-then-ranges';
    const url = `${base}/tiny.h5`;
    await expect(fetchWeights(manifest, { targetDir: dir, url, timeoutMs: 5000 })).rejects.toThrow(
      /stopped after .* \(the connection was lost\)\. Start it again: it resumes where it stopped/
    );
    expect(existsSync(path.join(dir, 'tiny.h5'))).toBe(false);
    const kept = statSync(path.join(dir, 'tiny.h5.part')).size;
    // What reached the disk: chunks still queued for the file when the error came may be dropped.
    expect(kept).toBeLessThanOrEqual(payload.length / 2);
    const target = await fetchWeights(manifest, { targetDir: dir, url, timeoutMs: 5000 });
    expect(readFileSync(target).equals(payload)).toBe(true);
    expect(requests).toEqual([null, kept > 0 ? `bytes=${kept}-` : null]);
  });
});

describe('weightsUrl', () => {
  it("is the manifest's URL without a mirror, and <mirror>/<file> with one", () => {
    expect(weightsUrl(manifest, undefined)).toBe(manifest.url);
    expect(weightsUrl(manifest, '')).toBe(manifest.url);
    expect(weightsUrl(manifest, 'https://mirror.example/models')).toBe('https://mirror.example/models/tiny.h5');
    expect(weightsUrl(manifest, 'https://mirror.example/models/')).toBe('https://mirror.example/models/tiny.h5');
  });

  it('refuses a mirror that is not an http(s) URL, naming the variable', () => {
    expect(() => weightsUrl(manifest, 'mirror.example')).toThrow(/TS_MODEL_MIRROR is not a URL/);
    expect(() => weightsUrl(manifest, 'file:///srv/models')).toThrow(/TS_MODEL_MIRROR must be an http\(s\) URL/);
  });
});
