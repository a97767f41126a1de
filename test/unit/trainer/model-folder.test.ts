import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentBatch, randomBoxes } from '../../../src/main/engine/trainer/augment';
import { buildHead } from '../../../src/main/engine/trainer/head';
import { loadModelFolder, saveModelFolder } from '../../../src/main/engine/trainer/model-folder';
import { createRng } from '../../../src/main/engine/trainer/rng';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-model-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model folder', () => {
  it('says which saved model is missing and what to do, instead of a bare ENOENT', async () => {
    const err = await loadModelFolder(path.join(dir, 'no-such-run')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect((err as Error).message).toMatch(/no-such-run is missing or damaged.*Train the model again/);
  });

  it('saves a TF.js layers-model with labels and preprocessing that loads and predicts the same', async () => {
    const head = buildHead({ kind: 'vgg-fc', featureShape: [2, 2, 4], numClasses: 3, seed: 1, fcUnits: 8 });
    const info = {
      labels: ['a', 'b', 'c'],
      preprocessing: {
        mode: 'caffe',
        inputSize: 224,
        resize: 'shorter-side-center-crop' as const,
        channelOrder: 'RGB' as const,
        backboneId: 'vgg16'
      }
    };
    await saveModelFolder(head, dir, info);
    expect(JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8'))).toMatchObject({
      format: 'layers-model',
      weightsManifest: [{ paths: ['weights.bin'] }]
    });
    expect(existsSync(path.join(dir, 'weights.bin'))).toBe(true);
    const loaded = await loadModelFolder(dir);
    expect(loaded.labels).toEqual(info.labels);
    expect(loaded.preprocessing).toEqual(info.preprocessing);
    const x = tf.randomNormal([2, 2, 2, 4], 0, 1, 'float32', 5);
    const [a, b] = [head.predict(x) as tf.Tensor, loaded.model.predict(x) as tf.Tensor];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    head.dispose();
    loaded.model.dispose();
  });
});

describe('augmentation', () => {
  it('a mirrored full-size crop box mirrors the image', async () => {
    const img = tf.tensor4d(
      [...Array(2 * 3 * 3)].map((_, i) => i * 10),
      [1, 2, 3, 3]
    );
    const out = tf.image.cropAndResize(img, tf.tensor2d([[0, 1, 1, 0]]), tf.tensor1d([0], 'int32'), [2, 3]);
    const mirrored = tf.reverse(img, 2);
    expect(Array.from(await out.data())).toEqual(Array.from(await mirrored.data()));
    tf.dispose([img, out, mirrored]);
  });

  it('keeps shape and pixel range, and boxes cover 85–100% of the side', () => {
    const boxes = randomBoxes(50, createRng(1));
    for (const [y1, x1, y2, x2] of boxes) {
      expect(y2 - y1).toBeGreaterThanOrEqual(0.85);
      expect(Math.abs(x2 - x1)).toBeCloseTo(y2 - y1);
    }
    const x = tf.randomUniform([4, 16, 16, 3], 0, 255, 'float32', 2) as tf.Tensor4D;
    const y = augmentBatch(x, createRng(3));
    expect(y.shape).toEqual([4, 16, 16, 3]);
    expect(y.min().dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(y.max().dataSync()[0]).toBeLessThanOrEqual(255);
    tf.dispose([x, y]);
  });
});
