/**
 * The wasm input gradients of stride-1 convolutions, computed as convolutions (see
 * wasm-input-grads.ts), equal the cpu backend's for every padding and kernel shape we meet, and
 * the filter transforms they keep inside a scope are freed when it ends.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/index';
import { withCachedFilterTransforms } from '../../../src/main/engine/wasm-input-grads';
import { relativeError } from './naive-ops';

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
  depthwise?: boolean;
}

/** dx of sum(conv(x, w) · r) on a backend; r makes dy non-trivial. */
async function inputGrad(backend: string, c: Case): Promise<Float32Array> {
  await tf.setBackend(backend);
  const x = tf.randomUniform(c.x, -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform(c.filter, -1, 1, 'float32', 2) as tf.Tensor4D;
  const conv = (a: tf.Tensor) =>
    c.depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, w, c.stride, c.pad) : tf.conv2d(a as tf.Tensor4D, w, c.stride, c.pad);
  const out = conv(x);
  const r = tf.randomUniform(out.shape, -1, 1, 'float32', 3);
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(conv(a), r)))(x);
  const values = (await dx.data()) as Float32Array;
  tf.dispose([x, w, out, r, dx]);
  return values;
}

beforeAll(async () => {
  expect((await initBackend()).backend).toBe('wasm');
});

describe('wasm input gradients of stride-1 convolutions', () => {
  const cases: Case[] = [
    { x: [2, 14, 14, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'same' }, // VGG
    { x: [1, 9, 11, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'valid' },
    { x: [1, 10, 7, 4], filter: [2, 2, 4, 5], stride: 1, pad: 'same' }, // even kernel: uneven padding
    { x: [1, 6, 6, 16], filter: [1, 1, 16, 8], stride: 1, pad: 'same' }, // MobileNet 1×1
    { x: [2, 8, 8, 6], filter: [3, 3, 6, 1], stride: 1, pad: 'same', depthwise: true }, // MobileNet depthwise
    { x: [1, 9, 8, 6], filter: [3, 3, 6, 1], stride: 1, pad: 'valid', depthwise: true },
    { x: [2, 8, 8, 6], filter: [3, 3, 6, 2], stride: 1, pad: 'same', depthwise: true }, // multiplier 2: previous kernel
    { x: [1, 9, 11, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' }, // strided: previous kernel
    { x: [2, 9, 8, 6], filter: [3, 3, 6, 1], stride: 2, pad: 'same', depthwise: true }
  ];
  for (const c of cases) {
    it(`match cpu: ${c.depthwise ? 'depthwise' : 'conv'} x ${c.x}, k ${c.filter}, stride ${c.stride}, ${c.pad}`, async () => {
      const cpu = await inputGrad('cpu', c);
      const wasm = await inputGrad('wasm', c);
      expect(relativeError(wasm, cpu)).toBeLessThan(1e-5);
    });
  }

  it('send max-pool gradients to each window’s maximum, negative and all-zero windows too (as cpu does)', async () => {
    const grads: number[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const x = tf.tensor4d([0, 0, -1, -1, 0, 0, -1, -1, -3, -2, 7, 1, -5, -2, 1, 1], [1, 4, 4, 1]);
      const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x);
      grads.push(Array.from(await dx.data()));
      tf.dispose([x, dx]);
    }
    expect(grads[1]).toEqual(grads[0]);
    expect(grads[1]).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
  });

  const pools: { x: [number, number, number, number]; size: number; stride: number; pad: 'same' | 'valid'; relu: boolean }[] = [
    { x: [2, 8, 8, 5], size: 2, stride: 2, pad: 'valid', relu: true }, // VGG: ties at zero
    { x: [2, 7, 9, 3], size: 3, stride: 2, pad: 'same', relu: false }, // overlapping windows, padding
    { x: [1, 9, 9, 4], size: 2, stride: 2, pad: 'valid', relu: false } // odd edge dropped
  ];
  for (const p of pools) {
    it(`send max-pool gradients where cpu does: x ${p.x}, pool ${p.size}/${p.stride} ${p.pad}${p.relu ? ', after ReLU' : ''}`, async () => {
      const grads: Float32Array[] = [];
      for (const backend of ['cpu', 'wasm']) {
        await tf.setBackend(backend);
        const raw = tf.randomUniform(p.x, -1, 1, 'float32', 7);
        const x = p.relu ? tf.relu(raw) : raw;
        const r = tf.randomUniform(tf.maxPool(x as tf.Tensor4D, p.size, p.stride, p.pad).shape, 0, 1, 'float32', 8);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, p.size, p.stride, p.pad), r)))(x);
        grads.push((await dx.data()) as Float32Array);
        tf.dispose([raw, x, r, dx]);
      }
      expect(relativeError(grads[1], grads[0])).toBeLessThan(1e-6);
    });
  }

  it('free the filter transforms kept in a scope when it ends, and keep none outside one', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const before = backend.numDataIds();
    const w = tf.randomUniform([3, 3, 8, 8], -1, 1, 'float32', 5) as tf.Tensor4D;
    const x = tf.randomUniform([1, 8, 8, 8], -1, 1, 'float32', 6) as tf.Tensor4D;
    const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, w, 1, 'same')));
    const twice = await withCachedFilterTransforms(async () => {
      const [a, b] = [grad(x), grad(x)];
      // Inputs, the kept transform, and the two results.
      expect(backend.numDataIds()).toBe(before + 5);
      const same = relativeError((await a.data()) as Float32Array, (await b.data()) as Float32Array);
      tf.dispose([a, b]);
      return same;
    });
    expect(twice).toBe(0);
    expect(backend.numDataIds()).toBe(before + 2);
    tf.dispose(grad(x));
    expect(backend.numDataIds()).toBe(before + 2);
    tf.dispose([w, x]);
    expect(backend.numDataIds()).toBe(before);
  });
});
