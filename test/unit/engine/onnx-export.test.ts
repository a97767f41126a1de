/**
 * The ONNX exporter against tfjs (the model it was exported from) and against plain-JS reference
 * ops: every backbone family the app builds, the folded preprocessing/mirror/pooling, and the
 * errors and fallbacks.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone, type Backbone } from '../../../src/main/engine/index';
import { openBackboneForward, type FeatureOutput } from '../../../src/main/engine/inference/backbone-forward';
import { openFrozenForward } from '../../../src/main/engine/inference/open-forward';
import { randomVggWeights, rng, writeVggH5 } from './fixtures';
import { convSameRelu, maxPool2, relativeError, type Feature } from './naive-ops';

const SHARED = path.resolve(import.meta.dirname, '../../..', '../shared/models');
const TM_DIR = path.join(SHARED, 'mobilenet-v2-0.35-224-tm-base');
const DARKNET_DIR = path.join(SHARED, 'darknet-tiny-imagenet');
let dir: string;
let vggFile: string;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(tmpdir(), 'engine-onnx-'));
  vggFile = path.join(dir, 'vgg16.h5');
  await writeVggH5(vggFile, randomVggWeights('vgg16', 3), { naming: 'new' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomPhotos(n: number, size: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => new Uint8Array(size * size * 3).map(() => Math.floor(next() * 256)));
}

/** ONNX Runtime and tfjs run the same spec over the same photos; returns the relative error. */
async function compareRuntimes(backbone: Backbone, output: FeatureOutput, photos: Uint8Array[]): Promise<number> {
  const ort = await openBackboneForward(backbone, output, { cacheDir: dir });
  const ref = await openBackboneForward(backbone, output, { runtime: 'tfjs' });
  try {
    expect(ort.info.runtime).toBe('onnxruntime');
    expect(ref.info.runtime).toBe('tfjs');
    expect(ort.outputShape).toEqual(ref.outputShape);
    const [a, b] = [await ort.run(photos), await ref.run(photos)];
    expect(a.length).toBe(photos.length * ort.outputShape.reduce((x, y) => x * y, 1));
    return relativeError(a, b);
  } finally {
    await ort.dispose();
    await ref.dispose();
  }
}

describe('ONNX export of VGG16 from a Keras .h5 (random weights)', () => {
  it('block5_pool maps equal a naive conv/relu/pool network on caffe-preprocessed pixels at 32 px', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize: 32 });
    const [photo] = randomPhotos(1, 32, 4);
    const means = [103.939, 116.779, 123.68];
    const bgr = new Float32Array(photo.length);
    for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) bgr[p * 3 + c] = photo[p * 3 + (2 - c)] - means[c];
    let x: Feature = { h: 32, w: 32, c: 3, data: bgr };
    const layers = randomVggWeights('vgg16', 3);
    layers.forEach((l, i) => {
      x = convSameRelu(x, l.kernel, l.bias, l.kernelShape[3]);
      if (layers[i + 1]?.layer.slice(0, 6) !== l.layer.slice(0, 6)) x = maxPool2(x);
    });
    const forward = await openBackboneForward(backbone, 'maps', { cacheDir: dir });
    expect(forward.info.runtime).toBe('onnxruntime');
    expect(forward.outputShape).toEqual([1, 1, 512]);
    expect(relativeError(await forward.run([photo]), x.data)).toBeLessThan(1e-4);
    await forward.dispose();
    backbone.dispose();
  });

  it('avg-flip features at 64 px equal tfjs within 1e-4', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize: 64 });
    expect(await compareRuntimes(backbone, 'avg-flip', randomPhotos(3, 64, 5))).toBeLessThan(1e-4);
    backbone.dispose();
  });

  it('an odd size (100 px, floors like Keras) gives the same maps and max-pooled features as tfjs', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize: 100 });
    const photos = randomPhotos(2, 100, 6);
    expect(await compareRuntimes(backbone, 'maps', photos)).toBeLessThan(1e-4);
    expect(await compareRuntimes(backbone, 'max', photos)).toBeLessThan(1e-4);
    backbone.dispose();
  }, 120_000);

  it('a base cut below the top block (block4_pool) exports only the cut', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize: 64, featureLayer: 'block4_pool' });
    expect(await compareRuntimes(backbone, 'maps', randomPhotos(2, 64, 7))).toBeLessThan(1e-4);
    backbone.dispose();
  });
});

describe('ONNX export of the real MobileNetV2 0.35 (../shared)', () => {
  it('built in code: avg-flip features at 224 and at 320 px equal tfjs within 1e-4', async () => {
    for (const inputSize of [224, 320]) {
      const backbone = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_DIR, inputSize });
      expect(await compareRuntimes(backbone, 'avg-flip', randomPhotos(2, inputSize, inputSize))).toBeLessThan(1e-4);
      backbone.dispose();
    }
  }, 120_000);

  it('the Teachable Machine folder cut at out_relu (nested models): maps equal tfjs within 1e-4', async () => {
    const backbone = await loadBackbone({ id: 'custom', weightsPath: TM_DIR, featureLayer: 'out_relu' });
    expect(await compareRuntimes(backbone, 'maps', randomPhotos(2, 224, 8))).toBeLessThan(1e-4);
    backbone.dispose();
  });
});

describe('ONNX export of a TF.js layers folder with batch norm and LeakyReLU', () => {
  it('darknet-tiny cut at leaky_re_lu_15 equals tfjs within 1e-4', async () => {
    const backbone = await loadBackbone({ id: 'custom', weightsPath: DARKNET_DIR, featureLayer: 'leaky_re_lu_15' });
    expect(await compareRuntimes(backbone, 'avg', randomPhotos(2, 224, 9))).toBeLessThan(1e-4);
    backbone.dispose();
  });
});

describe('exporter limits and cache', () => {
  it('an unsupported layer is named with its kind, and that model runs on tfjs instead', async () => {
    const input = tf.input({ shape: [16, 16, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'odd_conv', activation: 'elu' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: conv });
    const spec = { inputSize: 16, preprocessing: 'tf', views: 1, pool: 'avg', merge: 'concat' } as const;
    const forward = await openFrozenForward(model, spec);
    expect(forward.info.runtime).toBe('tfjs');
    expect(forward.info.unavailable[0].reason).toMatch(/layer "odd_conv" of kind Conv2D .*activation elu/);
    expect((await forward.run(randomPhotos(1, 16, 1))).length).toBe(4);
    await forward.dispose();
    model.dispose();
  });

  it('exports once per key: a second open reuses the file, another input size makes another', async () => {
    const cacheDir = path.join(dir, 'cache-test');
    const open = async (inputSize: number) => {
      const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize });
      const forward = await openBackboneForward(backbone, 'avg', { cacheDir });
      await forward.dispose();
      backbone.dispose();
    };
    await open(32);
    const first = readdirSync(cacheDir);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatch(/^vgg16-32-block5_pool-avg-[0-9a-f]{16}\.onnx$/);
    await open(32);
    expect(readdirSync(cacheDir)).toEqual(first);
    await open(48);
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  it('leaves no tensors behind: export, both runtimes, dispose', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize: 32 });
    const baseline = tf.memory().numTensors;
    await compareRuntimes(backbone, 'avg-flip', randomPhotos(2, 32, 2));
    expect(tf.memory().numTensors).toBe(baseline);
    backbone.dispose();
  });

  it('a released session refuses to run', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize: 32 });
    const forward = await openBackboneForward(backbone, 'avg');
    await forward.dispose();
    await expect(forward.run(randomPhotos(1, 32, 1))).rejects.toThrow(/released/);
    backbone.dispose();
  });
});
