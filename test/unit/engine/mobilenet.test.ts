import * as tf from '@tensorflow/tfjs';
import h5wasm from 'h5wasm/node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone, readTfjsWeights } from '../../../src/main/engine/index';
import { type AppError } from '../../../src/shared/errors';
import { rng } from './fixtures';

const TM_DIR = path.resolve(import.meta.dirname, '../../..', '../shared/models/mobilenet-v2-0.35-224-tm-base');
let dir: string;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(tmpdir(), 'engine-mnv2-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomBatch(n: number, size: number, seed: number): tf.Tensor4D {
  const next = rng(seed);
  return tf.tensor4d(
    new Float32Array(n * size * size * 3).map(() => Math.floor(next() * 256)),
    [n, size, size, 3]
  );
}

/** Re-saves the TM weights as a Keras-style .h5 (layer_names / weight_names, new naming). */
async function writeKerasStyleH5(file: string): Promise<void> {
  const weights = readTfjsWeights(path.join(TM_DIR, 'model.json'));
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  const layers = [...weights.keys()].filter((l) => !l.startsWith('dense_'));
  for (const layer of layers) {
    const g = f.create_group(layer);
    const inner = g.create_group(layer);
    const list = weights.get(layer)!;
    for (const w of list)
      inner.create_dataset({ name: `${w.name.slice(w.name.lastIndexOf('/') + 1)}:0`, data: w.data, shape: w.shape, dtype: '<f' });
    g.create_attribute(
      'weight_names',
      list.map((w) => `${layer}/${w.name.slice(w.name.lastIndexOf('/') + 1)}:0`)
    );
  }
  f.create_attribute('layer_names', layers);
  f.close();
}

describe('MobileNetV2 built in code', () => {
  it('restored from the Teachable Machine folder equals the TM model cut at out_relu', async () => {
    const built = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_DIR });
    const cut = await loadBackbone({ id: 'custom', weightsPath: TM_DIR, featureLayer: 'out_relu' });
    expect(built).toMatchObject({ featureDim: 1280, preprocessing: 'tm', inputSize: 224 });
    const x = randomBatch(2, 224, 1);
    const [a, b] = [built.embed(x), cut.embed(x)];
    expect(a.shape).toEqual([2, 1280]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    built.dispose();
    cut.dispose();
  });

  it('loads Keras .h5 weights (alpha 0.35 detected), and runs at 160 px', async () => {
    const file = path.join(dir, 'mnv2-035.h5');
    await writeKerasStyleH5(file);
    const fromH5 = await loadBackbone({ id: 'mobilenet_v2_035', weightsPath: file, inputSize: 160 });
    const fromTm = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_DIR, inputSize: 160 });
    expect(fromH5.preprocessing).toBe('tf');
    expect(fromH5.base.outputs[0].shape).toEqual([null, 5, 5, 1280]);
    expect(fromH5.topBlockLayers).toContain('Conv_1');
    // Same weights; the only difference is x/127.5−1 versus x/127−1.
    const x = randomBatch(1, 160, 2);
    const a = tf.tidy(() => fromH5.base.predict(tf.sub(tf.div(x, 127), 1)) as tf.Tensor);
    const b = tf.tidy(() => fromTm.base.predict(fromTm.preprocess(x)) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([x, a, b]);
    fromH5.dispose();
    fromTm.dispose();
    const err = await loadBackbone({ id: 'mobilenet_v2_100', weightsPath: file }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('WEIGHTS_INVALID');
    expect((err as AppError).message).toMatch(/MobileNetV2 0\.35 weights, not 1/);
  });

  it('returns tf.memory().numTensors to its baseline after load, embed and dispose', async () => {
    const baseline = tf.memory().numTensors;
    for (const id of ['mobilenet_v2', 'custom']) {
      const b = await loadBackbone({ id, weightsPath: TM_DIR, featureLayer: 'out_relu' });
      const x = randomBatch(1, 224, 3);
      tf.dispose([b.embed(x), x]);
      b.dispose();
    }
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
