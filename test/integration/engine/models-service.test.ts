import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWeights } from '../../../src/main/engine/fetch-weights';
import { findManifest } from '../../../src/main/engine/manifests';
import { createModelHandlers } from '../../../src/main/services/models';
import { AppError } from '../../../src/shared/errors';
import { randomVggWeights, writeVggH5 } from '../../unit/engine/fixtures';

const REPO = path.resolve(import.meta.dirname, '../../..');
const MODELS_DIR = path.join(REPO, 'resources/models');
let dir: string;
let handlers: ReturnType<typeof createModelHandlers>;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'engine-models-'));
  handlers = createModelHandlers({ modelsDir: MODELS_DIR, userModelsDir: path.join(dir, 'user-models') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port nothing listens on: bind, read the number, close. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('model handlers', () => {
  it('engine:status reports the wasm backend and why native is not used', async () => {
    const info = await handlers['engine:status'](undefined);
    expect(info.backend).toBe('wasm');
    expect(info.label).toMatch(/^CPU · WebAssembly \(.*tfjs-node not installed/);
    expect(info.unavailable.map((u) => u.name)).toEqual(['tfjs-node-gpu', 'tfjs-node']);
  });

  it('engine:status also says what runs frozen forward passes: ONNX Runtime on the CPU here', async () => {
    const info = await handlers['engine:status'](undefined);
    expect(info.inference).toMatchObject({ runtime: 'onnxruntime', provider: 'cpu', device: 'cpu' });
    expect(info.inference?.label).toMatch(/^ONNX Runtime · CPU \(\d+ threads?\)$/);
  });

  it('models:backbones lists the four manifests; the bundled MobileNetV2 0.35 is ready out of the box', async () => {
    const list = await handlers['models:backbones'](undefined);
    expect(list.map((b) => b.id)).toEqual(['mobilenet_v2_035', 'mobilenet_v2_100', 'vgg16', 'vgg19']);
    const vgg = list.find((b) => b.id === 'vgg16')!;
    expect(vgg).toMatchObject({ preprocessing: 'caffe', featureDim: 512, sizeBytes: 58889256, defaultInputSize: 224, bundled: false });
    expect(list.find((b) => b.id === 'mobilenet_v2_035')).toMatchObject({ ready: true, bundled: true, preprocessing: 'tf' });
    if (!vgg.ready) expect(vgg.note).toMatch(/vgg16_weights_tf_dim_ordering_tf_kernels_notop\.h5 \(from https:.*models:fetch -- vgg16/);
  });

  it('models:import-weights refuses a bad file and copies nothing', async () => {
    const bad = path.join(dir, 'bad.h5');
    writeFileSync(bad, 'not weights');
    const err = await Promise.resolve(handlers['models:import-weights']({ backboneId: 'vgg16', path: bad })).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('WEIGHTS_INVALID');
    expect(existsSync(path.join(dir, 'user-models', 'vgg16'))).toBe(false);
  });

  it('models:import-weights loads a valid file strictly, copies it and marks the backbone ready', async () => {
    const file = path.join(dir, 'my-vgg16.h5');
    await writeVggH5(file, randomVggWeights('vgg16', 5), { naming: 'old' });
    const status = await handlers['models:import-weights']({ backboneId: 'vgg16', path: file });
    expect(status.ready).toBe(true);
    const list = await handlers['models:backbones'](undefined);
    const vgg = list.find((b) => b.id === 'vgg16')!;
    expect(vgg.ready).toBe(true);
    expect(vgg.weightsPath).toBe(status.weightsPath);
    expect(existsSync(status.weightsPath!)).toBe(true);
  });
});

describe('models fetch', () => {
  it('fails with a clear message when the server cannot be reached (refused, not timed out)', async () => {
    const manifest = findManifest(MODELS_DIR, 'vgg16');
    const port = await closedPort();
    const err = await fetchWeights(manifest, {
      targetDir: path.join(dir, 'fetch'),
      url: `http://127.0.0.1:${port}/vgg16.h5`,
      timeoutMs: 5000
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/Cannot download .*ECONNREFUSED.*offline.*Train › Advanced › Weights/);
    expect(existsSync(path.join(dir, 'fetch', manifest.file))).toBe(false);
  });
});
