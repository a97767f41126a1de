import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHead } from '../../../src/main/engine/trainer/head';
import { loadModelFolder, saveModelFolder } from '../../../src/main/engine/trainer/model-folder';

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
