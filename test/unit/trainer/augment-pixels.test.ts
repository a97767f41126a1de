/** Stage-2 augmentation on RGB bytes: the same crop/flip as tfjs's cropAndResize, jitter in range, one draw per view. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { augmentParams, augmentPixels, viewSeed } from '../../../src/main/engine/trainer/augment-pixels';
import { createRng } from '../../../src/main/engine/trainer/rng';

function randomImage(size: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return new Uint8Array(size * size * 3).map(() => Math.floor(rng.next() * 256));
}

describe('augmentPixels', () => {
  it('a full box without jitter returns the image; a mirrored full box mirrors it', () => {
    const img = randomImage(5, 1);
    expect(Array.from(augmentPixels(img, 5, { box: [0, 0, 1, 1], gain: 1, offset: 0 }))).toEqual(Array.from(img));
    const mirrored = augmentPixels(img, 5, { box: [0, 1, 1, 0], gain: 1, offset: 0 });
    for (let y = 0; y < 5; y++)
      for (let x = 0; x < 5; x++) for (let c = 0; c < 3; c++) expect(mirrored[(y * 5 + x) * 3 + c]).toBe(img[(y * 5 + (4 - x)) * 3 + c]);
  });

  it('crops and resizes like tf.image.cropAndResize (bilinear), within rounding', async () => {
    const img = randomImage(16, 2);
    const box: [number, number, number, number] = [0.1, 0.95, 0.92, 0.13];
    const ours = augmentPixels(img, 16, { box, gain: 1, offset: 0 });
    const x = tf.tensor4d(Float32Array.from(img), [1, 16, 16, 3]);
    const ref = tf.image.cropAndResize(x, tf.tensor2d([box]), tf.tensor1d([0], 'int32'), [16, 16], 'bilinear');
    const want = await ref.data();
    const worst = Math.max(...Array.from(ours, (v, i) => Math.abs(v - want[i])));
    expect(worst).toBeLessThanOrEqual(0.5 + 1e-3);
    tf.dispose([x, ref]);
  });

  it('changes contrast around the mean and brightness, clipped to 0..255', () => {
    const img = new Uint8Array(4 * 4 * 3).fill(100);
    img[0] = 250;
    const out = augmentPixels(img, 4, { box: [0, 0, 1, 1], gain: 1.1, offset: 10 });
    const mean = (250 + 100 * 47) / 48;
    expect(out[0]).toBe(Math.min(255, Math.round((250 - mean) * 1.1 + mean + 10)));
    expect(out[1]).toBe(Math.round((100 - mean) * 1.1 + mean + 10));
  });
});

describe('augmentParams', () => {
  it('crops 85–100% of the side inside the image, gain within ±10 %, offset within ±12.75', () => {
    for (let i = 0; i < 200; i++) {
      const { box, gain, offset } = augmentParams(viewSeed(42, i, i % 3));
      const [y1, x1, y2, x2] = box;
      expect(y2 - y1).toBeGreaterThanOrEqual(0.85);
      expect(Math.abs(x2 - x1)).toBeCloseTo(y2 - y1);
      for (const v of box) expect(v >= 0 && v <= 1).toBe(true);
      expect(Math.abs(gain - 1)).toBeLessThanOrEqual(0.1);
      expect(Math.abs(offset)).toBeLessThanOrEqual(12.75);
    }
  });

  it('one draw per (seed, photo, view): the same again, different for another view or photo', () => {
    expect(augmentParams(viewSeed(1, 7, 2))).toEqual(augmentParams(viewSeed(1, 7, 2)));
    expect(augmentParams(viewSeed(1, 7, 2))).not.toEqual(augmentParams(viewSeed(1, 7, 1)));
    expect(augmentParams(viewSeed(1, 7, 2))).not.toEqual(augmentParams(viewSeed(1, 8, 2)));
  });
});
