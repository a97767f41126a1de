/** The API over HTTP: envelopes and status codes, request validation, and server-sent events. */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../src/shared/dto';
import { bearer, invokeOverHttp, rawRequest, writePhotoTree } from './fixtures';
import { startTestServer, type TestServer } from './test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer({ heartbeatMs: 200 });
});
afterAll(async () => {
  await t.close();
});

describe('invoke', () => {
  it('answers 400 INVALID_REQUEST to a body that fails the channel schema', async () => {
    const res = await invokeOverHttp(t.port, t.token, 'classes:add', { name: 42 });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
  });

  it('answers 400 INVALID_REQUEST to a body that is not JSON', async () => {
    const res = await rawRequest(t.port, '/api/invoke/classes:add', {
      method: 'POST',
      headers: { ...bearer(t.token), 'Content-Type': 'application/json' },
      body: '{"name": '
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('answers 404 to a channel outside the allow-list', async () => {
    const res = await invokeOverHttp(t.port, t.token, 'fs:read', {});
    expect(res.status).toBe(404);
  });

  it('maps a service error code to its status', async () => {
    const res = await invokeOverHttp(t.port, t.token, 'photos:get', { id: 424242 });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses GET on the invoke route', async () => {
    const res = await rawRequest(t.port, '/api/invoke/app:info', { headers: bearer(t.token) });
    expect(res.status).toBe(405);
  });

  it('round-trips a request through the real handlers', async () => {
    const added = await invokeOverHttp(t.port, t.token, 'classes:add', { name: 'owls', color: '#112233' });
    expect(added.status).toBe(200);
    const list = (await invokeOverHttp(t.port, t.token, 'classes:list', {})).json() as { data: { name: string }[] };
    expect(list.data.map((c) => c.name)).toContain('owls');
  });
});

/** Collects SSE events from the stream until `until` says stop. */
function readEvents(port: number, token: string, until: (events: { name: string; data: string }[]) => boolean) {
  const events: { name: string; data: string }[] = [];
  let raw = '';
  let ready!: () => void;
  const connected = new Promise<void>((r) => (ready = r));
  const done = new Promise<{ name: string; data: string }[]>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/api/events?token=${token}`, headers: { Host: `127.0.0.1:${port}` } }, (res) => {
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      ready();
      res.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
        let end: number;
        while ((end = raw.indexOf('\n\n')) >= 0) {
          const block = raw.slice(0, end);
          raw = raw.slice(end + 2);
          const name = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (name && data) events.push({ name, data });
          else if (block.startsWith(':')) events.push({ name: 'comment', data: block });
        }
        if (until(events)) {
          req.destroy();
          resolve(events);
        }
      });
    });
    req.on('error', (err) => (events.length > 0 ? resolve(events) : reject(err)));
    req.end();
  });
  return { connected, done };
}

describe('events', () => {
  it('delivers import:progress events during a real import', async () => {
    await writePhotoTree(join(t.dir, 'photos'), { ants: 3, bees: 3 });
    const stream = readEvents(t.port, t.token, (ev) => ev.some((e) => e.name === 'library:changed'));
    await stream.connected;
    const res = await invokeOverHttp(t.port, t.token, 'folders:add', { path: join(t.dir, 'photos'), classesFromFolders: true });
    expect(res.status).toBe(200);
    const events = await stream.done;
    const progress = events.filter((e) => e.name === 'import:progress').map((e) => JSON.parse(e.data) as ImportProgress);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatchObject({ phase: expect.any(String), done: expect.any(Number), total: expect.any(Number) });
    expect(progress.some((p) => p.currentPath.startsWith(join(t.dir, 'photos')))).toBe(true);
  });

  it('sends heartbeat comments on a quiet stream', async () => {
    const stream = readEvents(t.port, t.token, (ev) => ev.some((e) => e.data.startsWith(': heartbeat')));
    const events = await stream.done;
    expect(events.some((e) => e.name === 'comment')).toBe(true);
  });
});
