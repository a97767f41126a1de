/**
 * models:download, the Train view's "Download VGG16", a long job: the invoke answers at once,
 * the file arrives in the user models folder checked against its MD5, progress comes as events
 * ending at the total, the end event says the backbone is ready, and an unreachable host ends
 * fast with a message that says what to do.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadFinished, DownloadProgress } from '../../../src/shared/dto';
import { EventBus } from '../../../src/main/services/event-bus';
import { createModelHandlers } from '../../../src/main/services/models';
import { testManifest } from '../../helpers/test-manifest';

const payload = randomBytes(300 * 1024);
let server: Server;
let dir: string;

function writeManifest(modelsDir: string, id: string, url: string): void {
  mkdirSync(path.join(modelsDir, id), { recursive: true });
  const manifest = testManifest(payload, { id, displayName: `Test ${id}`, file: `${id}.h5`, url });
  writeFileSync(path.join(modelsDir, id, 'manifest.json'), JSON.stringify(manifest));
}

/** Resolves with the 'models:download-finished' of `backboneId` (subscribe before starting). */
function finished(events: EventBus, backboneId: string): Promise<DownloadFinished> {
  return new Promise((resolve) => {
    const off = events.on('models:download-finished', (f) => {
      if (f.backboneId !== backboneId) return;
      off();
      resolve(f);
    });
  });
}

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'Content-Length': String(payload.length) }).end(payload));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  dir = mkdtempSync(path.join(os.tmpdir(), 'models-download-'));
  const port = (server.address() as { port: number }).port;
  writeManifest(path.join(dir, 'models'), 'local', `http://127.0.0.1:${port}/w.h5`);
  // A port nothing listens on: the connection is refused at once, as on a machine that is offline.
  writeManifest(path.join(dir, 'models'), 'offline', 'http://127.0.0.1:9/w.h5');
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('models:download', () => {
  it('downloads into the user models folder with progress events, and the backbone is then ready', async () => {
    const events = new EventBus();
    const progress: DownloadProgress[] = [];
    events.on('models:download-progress', (p) => progress.push(p));
    const handlers = createModelHandlers({ modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user'), events });
    const ended = finished(events, 'local');
    expect(await handlers['models:download']({ backboneId: 'local' })).toEqual({ backboneId: 'local' });
    const end = await ended;
    expect(end).toMatchObject({ status: 'completed', error: null });
    expect(end.backbone).toMatchObject({ id: 'local', ready: true, weightsPath: path.join(dir, 'user', 'local', 'local.h5') });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ backboneId: 'local', received: payload.length, total: payload.length });
  });

  it('ends with a clear message when the host cannot be reached', async () => {
    const events = new EventBus();
    const handlers = createModelHandlers({ modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user'), events });
    const ended = finished(events, 'offline');
    await handlers['models:download']({ backboneId: 'offline' });
    expect(await ended).toMatchObject({
      status: 'failed',
      backbone: null,
      error: expect.stringMatching(/may be offline.*Train › Advanced › Weights/)
    });
  });

  it('lists what a cut-off download left on disk, so the next one offers to resume it', async () => {
    const handlers = createModelHandlers({ modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user') });
    const offline = async () => (await handlers['models:backbones'](undefined)).find((b) => b.id === 'offline');
    expect(await offline()).toMatchObject({ ready: false, partialBytes: null });
    mkdirSync(path.join(dir, 'user', 'offline'), { recursive: true });
    writeFileSync(path.join(dir, 'user', 'offline', 'offline.h5.part'), payload.subarray(0, 12_345));
    expect(await offline()).toMatchObject({ ready: false, partialBytes: 12_345 });
    // A finished backbone has no part to speak of.
    expect((await handlers['models:backbones'](undefined)).find((b) => b.id === 'local')).toMatchObject({
      ready: true,
      partialBytes: null
    });
  });

  it('refuses the bundled backbone: it ships with the app', async () => {
    const repoModels = path.resolve(import.meta.dirname, '../../../resources/models');
    const handlers = createModelHandlers({ modelsDir: repoModels, userModelsDir: path.join(dir, 'user') });
    expect(() => handlers['models:download']({ backboneId: 'mobilenet_v2_035' })).toThrow(
      expect.objectContaining({ code: 'INVALID_REQUEST' })
    );
    expect((await handlers['models:backbones'](undefined)).find((b) => b.id === 'mobilenet_v2_035')).toMatchObject({
      ready: true,
      bundled: true
    });
  });
});
