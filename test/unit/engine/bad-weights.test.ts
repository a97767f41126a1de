import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone } from '../../../src/main/engine/index';
import { AppError } from '../../../src/shared/errors';
import { randomVggWeights, writeVggH5, type LayerWeights } from './fixtures';

let dir: string;
let firstLayer: LayerWeights;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(tmpdir(), 'engine-bad-'));
  firstLayer = randomVggWeights('vgg16', 3)[0];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectInvalid(file: string, message: RegExp, featureLayer?: string): Promise<void> {
  const baseline = tf.memory().numTensors;
  const err = await loadBackbone({ id: 'vgg16', weightsPath: file, inputSize: 32, featureLayer }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe('WEIGHTS_INVALID');
  expect((err as AppError).message).toMatch(message);
  // never a half-loaded model: nothing stays allocated
  expect(tf.memory().numTensors).toBe(baseline);
}

describe('bad weights files', () => {
  it('rejects a file that is not HDF5', async () => {
    const file = path.join(dir, 'not.h5');
    writeFileSync(file, 'this is a text file, not weights\n');
    await expectInvalid(file, /not an HDF5 file/);
  });

  it('rejects a truncated HDF5 file', async () => {
    const whole = path.join(dir, 'whole.h5');
    await writeVggH5(whole, [firstLayer], { naming: 'new' });
    const bytes = readFileSync(whole);
    const file = path.join(dir, 'truncated.h5');
    writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 3)));
    await expectInvalid(file, /truncated|damaged/);
  });

  it('names the layer and both shapes when a kernel has the wrong shape', async () => {
    const file = path.join(dir, 'wrong-shape.h5');
    const wrong = {
      ...firstLayer,
      kernel: firstLayer.kernel.subarray(0, 3 * 3 * 3 * 32),
      kernelShape: [3, 3, 3, 32],
      bias: firstLayer.bias.subarray(0, 32)
    };
    await writeVggH5(file, [wrong], { naming: 'old' });
    await expectInvalid(file, /block1_conv1 kernel: expected shape \[3,3,3,64\], found \[3,3,3,32\]/);
  });

  it('names the missing layer', async () => {
    const file = path.join(dir, 'missing.h5');
    await writeVggH5(file, [firstLayer], { naming: 'new' });
    await expectInvalid(file, /layer block1_conv2 is missing/);
  });

  it('leaves nothing allocated when a base cut at an inner layer gets a bad file', async () => {
    const file = path.join(dir, 'missing-cut.h5');
    await writeVggH5(file, [firstLayer], { naming: 'new' });
    await expectInvalid(file, /layer block1_conv2 is missing/, 'block4_pool');
  });

  it('rejects weights for another network (VGG19 into VGG16)', async () => {
    const file = path.join(dir, 'vgg19-into-16.h5');
    const extra = { ...randomVggWeights('vgg16', 4)[0], layer: 'block3_conv4' };
    await writeVggH5(file, [firstLayer, extra], { naming: 'new' });
    await expectInvalid(file, /block3_conv4.*another network/);
  });

  it('rejects an HDF5 file that is not Keras weights', async () => {
    const file = path.join(dir, 'plain.h5');
    const h5wasm = (await import('h5wasm/node')).default;
    await h5wasm.ready;
    const f = new h5wasm.File(file, 'w');
    f.create_dataset({ name: 'x', data: new Float32Array(4), shape: [4], dtype: '<f' });
    f.close();
    await expectInvalid(file, /not a Keras weights file/);
  });

  it('reports a missing path as WEIGHTS_MISSING', async () => {
    const err = await loadBackbone({ id: 'vgg16', weightsPath: path.join(dir, 'nope.h5') }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('WEIGHTS_MISSING');
  });
});
