/**
 * models:download, the Train view's "Download VGG16": the file arrives in the user models folder
 * checked against its MD5, progress comes as events ending at the total, the backbone is then
 * ready, and an unreachable host fails fast with a message that says what to do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadProgress } from '../../../src/shared/dto';
import { EventBus } from '../../../src/main/services/event-bus';
import { createModelHandlers } from '../../../src/main/services/models';

const payload = randomBytes(300 * 1024);
let server: Server;
let dir: string;

function writeManifest(modelsDir: string, id: string, url: string): void {
  mkdirSync(path.join(modelsDir, id), { recursive: true });
  const manifest = {
    id,
    displayName: `Test ${id}`,
    backbone: 'vgg16',
    file: `${id}.h5`,
    url,
    md5: createHash('md5').update(payload).digest('hex'),
    sizeBytes: payload.length,
    licence: 'test',
    preprocessing: 'caffe',
    featureLayer: 'block5_pool',
    featureDim: 512,
    inputSize: 224
  };
  writeFileSync(path.join(modelsDir, id, 'manifest.json'), JSON.stringify(manifest));
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
    const handlers = createModelHandlers({ modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user') }, events);
    const status = await handlers['models:download']({ backboneId: 'local' });
    expect(status).toMatchObject({ id: 'local', ready: true, weightsPath: path.join(dir, 'user', 'local', 'local.h5') });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ backboneId: 'local', received: payload.length, total: payload.length });
  });

  it('fails with a clear message when the host cannot be reached', async () => {
    const handlers = createModelHandlers({ modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user') }, new EventBus());
    await expect(handlers['models:download']({ backboneId: 'offline' })).rejects.toMatchObject({
      code: 'IO_ERROR',
      message: expect.stringMatching(/may be offline.*Train › Advanced › Weights/)
    });
  });

  it('refuses the bundled backbone: it ships with the app', async () => {
    const repoModels = path.resolve(import.meta.dirname, '../../../resources/models');
    const handlers = createModelHandlers({ modelsDir: repoModels, userModelsDir: path.join(dir, 'user') }, new EventBus());
    await expect(handlers['models:download']({ backboneId: 'mobilenet_v2_035' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await handlers['models:backbones'](undefined)).find((b) => b.id === 'mobilenet_v2_035')).toMatchObject({
      ready: true,
      bundled: true
    });
  });
});
