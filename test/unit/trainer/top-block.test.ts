/**
 * Fine-tuning's split of a backbone: the lower part (run by ONNX Runtime) followed by the top
 * block (trained in tfjs) computes exactly the base, for VGG16 and the real MobileNetV2; the
 * maps of augmented views are the same whether kept (float16) or computed when needed.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone, openBackboneForward, type Backbone } from '../../../src/main/engine/index';
import { decodeHalfInto, encodeHalf } from '../../../src/main/engine/trainer/float16';
import { LowerMaps } from '../../../src/main/engine/trainer/lower-maps';
import { splitAtTopBlock } from '../../../src/main/engine/trainer/top-block';
import { randomVggWeights, rng, writeVggH5 } from '../engine/fixtures';
import { relativeError } from '../engine/naive-ops';

const TM_DIR = path.resolve(import.meta.dirname, '../../..', '../shared/models/mobilenet-v2-0.35-224-tm-base');
let dir: string;
let vggFile: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = mkdtempSync(path.join(tmpdir(), 'top-block-'));
  vggFile = path.join(dir, 'vgg16.h5');
  await writeVggH5(vggFile, randomVggWeights('vgg16', 5), { naming: 'new' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function photos(n: number, size: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => new Uint8Array(size * size * 3).map(() => Math.floor(next() * 256)));
}

/** Lower part on ONNX Runtime, then the top block in tfjs, against the whole base in tfjs. */
async function splitMatchesBase(backbone: Backbone, expectedCut: string): Promise<void> {
  const baseline = tf.memory().numTensors;
  const split = splitAtTopBlock(backbone);
  expect(split.cutLayer).toBe(expectedCut);
  const lower = await openBackboneForward(backbone, 'maps', { model: split.lower });
  const whole = await openBackboneForward(backbone, 'maps', { runtime: 'tfjs' });
  expect(lower.info.runtime).toBe('onnxruntime');
  const images = photos(2, backbone.inputSize, 3);
  const maps = await lower.run(images);
  const out = tf.tidy(() => split.upper.predict(tf.tensor(maps, [2, ...lower.outputShape])) as tf.Tensor);
  expect(relativeError(await out.data(), await whole.run(images))).toBeLessThan(1e-4);
  out.dispose();
  await lower.dispose();
  await whole.dispose();
  split.dispose();
  expect(tf.memory().numTensors).toBe(baseline);
  // The base still has every weight after the top block's model is gone.
  const again = await openBackboneForward(backbone, 'avg', { runtime: 'tfjs' });
  expect((await again.run(images)).every(Number.isFinite)).toBe(true);
  await again.dispose();
}

describe('splitAtTopBlock', () => {
  it('VGG16: below block5 on ONNX Runtime, block5 in tfjs, equals the base', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: vggFile, inputSize: 64 });
    await splitMatchesBase(backbone, 'block4_pool');
    backbone.dispose();
  });

  it('MobileNetV2 (real weights): below block_16 on ONNX Runtime, block_16 + Conv_1 in tfjs, equals the base', async () => {
    const backbone = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_DIR, inputSize: 96 });
    await splitMatchesBase(backbone, 'block_15_add');
    backbone.dispose();
  });
});

describe('LowerMaps', () => {
  it('kept in float16 or computed per batch, a view is the same map (to float16 rounding)', async () => {
    const backbone = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_DIR, inputSize: 64 });
    const split = splitAtTopBlock(backbone);
    const forward = await openBackboneForward(backbone, 'maps', { model: split.lower });
    const common = { forward, pixels: photos(5, 64, 9), trainCount: 3, views: 2, seed: 11, batchSize: 2 };
    const kept = (await LowerMaps.build(common))!;
    const computed = (await LowerMaps.build({ ...common, budgetBytes: 0 }))!;
    expect([kept.kept, computed.kept]).toEqual([true, false]);
    for (const [idx, view] of [
      [[0, 2], 0],
      [[1, 0], 1],
      [[3, 4], 1]
    ] as const) {
      expect(relativeError(await kept.maps(idx, view), await computed.maps(idx, view))).toBeLessThan(1e-3);
    }
    // Training photos differ between views (augmented); validation photos have one plain view.
    expect(relativeError(await computed.maps([0], 0), await computed.maps([0], 1))).toBeGreaterThan(1e-2);
    expect(await computed.maps([3], 0)).toEqual(await computed.maps([3], 1));
    await forward.dispose();
    split.dispose();
    backbone.dispose();
  });

  it('stores float16 within 2^-11 relative', () => {
    const values = Float32Array.from([0, 1, -2.5, 1e-3, 65504, 3.14159, -7e-5, 123.456]);
    const back = new Float32Array(values.length);
    decodeHalfInto(encodeHalf(values), back, 0);
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 6e-8));
  });
});
