import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dBackpropFilterWasm, initBackend } from '../../../src/main/engine/index';
import { relativeError } from './naive-ops';
import { rng } from './fixtures';

function randomArray(n: number, seed: number): Float32Array {
  const next = rng(seed);
  return new Float32Array(n).map(() => next() * 2 - 1);
}

interface Case {
  x: number[];
  filter: number[];
  stride: number;
  pad: 'same' | 'valid';
}

/** Gradient of sum(conv(x, w) * r) wrt w and x on a backend; r fixes a non-trivial dy. */
async function convGrads(backend: string, c: Case, depthwise = false): Promise<{ dw: Float32Array; dx: Float32Array }> {
  await tf.setBackend(backend);
  const x = tf.tensor4d(
    randomArray(
      c.x.reduce((a, b) => a * b),
      1
    ),
    c.x as [number, number, number, number]
  );
  const w = tf.tensor4d(
    randomArray(
      c.filter.reduce((a, b) => a * b),
      2
    ),
    c.filter as [number, number, number, number]
  );
  const conv = (xx: tf.Tensor4D, ww: tf.Tensor4D): tf.Tensor4D =>
    depthwise ? tf.depthwiseConv2d(xx, ww, c.stride, c.pad) : tf.conv2d(xx, ww, c.stride, c.pad);
  const out = conv(x, w);
  const r = tf.tensor(randomArray(out.size, 3), out.shape);
  const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv(xx as tf.Tensor4D, ww as tf.Tensor4D), r)))([x, w]);
  const result = { dw: (await dw.data()) as Float32Array, dx: (await dx.data()) as Float32Array };
  tf.dispose([x, w, out, r, dx, dw]);
  return result;
}

beforeAll(async () => {
  const info = await initBackend();
  expect(info.backend).toBe('wasm');
});

describe('wasm training kernels', () => {
  it('ships no Conv2DBackpropFilter of its own, so ours is registered, and its Conv2DBackpropInput is wrapped', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2dBackpropFilterWasm);
    // wasm-input-grads wraps wasm's own: stride 1 as a convolution, the rest through wasm's kernel.
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc.name).toBe('fastInputGrad');
  });

  const cases: Case[] = [
    { x: [2, 14, 14, 8], filter: [3, 3, 8, 16], stride: 1, pad: 'same' }, // VGG-like
    { x: [1, 9, 11, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'valid' },
    { x: [2, 10, 10, 4], filter: [3, 3, 4, 5], stride: 2, pad: 'same' },
    { x: [1, 6, 6, 16], filter: [1, 1, 16, 8], stride: 1, pad: 'same' }, // MobileNet 1×1
    { x: [2, 7, 9, 5], filter: [3, 3, 5, 6], stride: 1, pad: 'valid' }, // input gradient as a full convolution
    { x: [1, 7, 6, 3], filter: [2, 2, 3, 4], stride: 1, pad: 'same' }, // even kernel: asymmetric padding
    { x: [1, 9, 9, 2], filter: [5, 3, 2, 3], stride: 1, pad: 'same' }, // non-square kernel
    { x: [1, 11, 11, 3], filter: [3, 3, 3, 2], stride: 3, pad: 'valid' } // stride the last rows never reach
  ];
  for (const c of cases) {
    it(`conv2d filter gradient matches cpu (x ${c.x}, k ${c.filter}, stride ${c.stride}, ${c.pad})`, async () => {
      const cpu = await convGrads('cpu', c);
      const wasm = await convGrads('wasm', c);
      expect(relativeError(wasm.dw, cpu.dw)).toBeLessThan(1e-5);
      expect(relativeError(wasm.dx, cpu.dx)).toBeLessThan(1e-5);
    });
  }

  const depthwiseCases: Case[] = [
    { x: [2, 8, 8, 6], filter: [3, 3, 6, 1], stride: 2, pad: 'same' }, // input gradient through the cpu fallback
    { x: [3, 10, 10, 12], filter: [3, 3, 12, 1], stride: 1, pad: 'same' }, // MobileNetV2 block_16: both from wasm kernels
    { x: [1, 7, 9, 4], filter: [3, 3, 4, 2], stride: 1, pad: 'valid' }, // channel multiplier 2
    { x: [1, 9, 9, 3], filter: [2, 2, 3, 1], stride: 1, pad: 'same' } // even kernel
  ];
  for (const c of depthwiseCases) {
    it(`depthwise conv gradients match cpu (x ${c.x}, k ${c.filter}, stride ${c.stride}, ${c.pad})`, async () => {
      const cpu = await convGrads('cpu', c, true);
      const wasm = await convGrads('wasm', c, true);
      expect(relativeError(wasm.dw, cpu.dw)).toBeLessThan(1e-5);
      expect(relativeError(wasm.dx, cpu.dx)).toBeLessThan(1e-5);
    });
  }

  it('the batch-norm gradient (broadcasting, not tiling) equals the analytic one', async () => {
    await tf.setBackend('wasm');
    const [n, c] = [6, 3];
    const x = randomArray(n * c, 4);
    const dyv = randomArray(n * c, 5);
    const [mean, variance, scale] = [
      [0.1, -0.2, 0.3],
      [0.5, 1.5, 2.0],
      [1.2, 0.7, -0.4]
    ];
    const eps = 1e-3;
    const t = (v: ArrayLike<number>, shape: number[]) => tf.tensor(Array.from(v), shape);
    const grads = tf.grads((xx, m, vv, sc, off) => tf.sum(tf.mul(tf.batchNorm(xx, m, vv, off, sc, eps), t(dyv, [1, 2, 3, c]))));
    const [dx, dm, dv, ds, doff] = grads([t(x, [1, 2, 3, c]), t(mean, [c]), t(variance, [c]), t(scale, [c]), tf.zeros([c])]);
    const want = { dx: new Float32Array(n * c), dm: [0, 0, 0], dv: [0, 0, 0], ds: [0, 0, 0], doff: [0, 0, 0] };
    for (let i = 0; i < n * c; i++) {
      const k = i % c;
      const r = 1 / Math.sqrt(variance[k] + eps);
      want.dx[i] = dyv[i] * scale[k] * r;
      want.dm[k] -= dyv[i] * scale[k] * r;
      want.dv[k] += dyv[i] * scale[k] * (x[i] - mean[k]) * -0.5 * r ** 3;
      want.ds[k] += dyv[i] * (x[i] - mean[k]) * r;
      want.doff[k] += dyv[i];
    }
    expect(relativeError(await dx.data(), want.dx)).toBeLessThan(1e-5);
    expect(relativeError(await dm.data(), want.dm)).toBeLessThan(1e-5);
    expect(relativeError(await dv.data(), want.dv)).toBeLessThan(1e-5);
    expect(relativeError(await ds.data(), want.ds)).toBeLessThan(1e-5);
    expect(relativeError(await doff.data(), want.doff)).toBeLessThan(1e-5);
    tf.dispose([dx, dm, dv, ds, doff]);
  });

  it('fine-tunes a conv + relu + maxpool + relu6 + batchnorm stack on wasm without leaking tensors', async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [8, 8, 3] });
    let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tf.SymbolicTensor;
    y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
    y = tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.maxPooling2d({ poolSize: 2 }).apply(y) as tf.SymbolicTensor;
    y = tf.layers.globalAveragePooling2d({}).apply(y) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax' }).apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
    const xs = tf.randomUniform([4, 8, 8, 3]);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const baseline = tf.memory().numTensors;
    const hist = await model.fit(xs, ys, { epochs: 2, batchSize: 2, verbose: 0 });
    expect(hist.history.loss.every((l) => Number.isFinite(l as number))).toBe(true);
    expect(tf.memory().numTensors).toBe(baseline);
    tf.dispose([xs, ys]);
    model.optimizer.dispose();
    model.dispose();
  });
});
