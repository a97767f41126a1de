/**
 * 3×3 convolutions exported as Winograd F(2×2, 3×3) and F(4×4, 3×3): the same maps as tfjs's
 * direct convolution at sizes that do not divide into whole tiles, 'same' and 'valid' padding,
 * with and without bias; and VGG16's default export uses it from 128 channels up.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone } from '../../../src/main/engine/index';
import { featureSpec } from '../../../src/main/engine/inference/backbone-forward';
import type { ForwardSpec } from '../../../src/main/engine/inference/forward-spec';
import { forwardPlan, MAX_PARALLEL_SESSIONS, openFrozenForward, winogradFor } from '../../../src/main/engine/inference/open-forward';
import { openOrtThreads, parallelOrtForward } from '../../../src/main/engine/inference/parallel-forward';
import { encodeOnnx, OUTPUT_NAME, type EncodeOptions } from '../../../src/main/engine/onnx/encode-onnx';
import { buildIr } from '../../../src/main/engine/onnx/from-layers';
import { describeProvider, openSession, providerDecision, sessionOptions } from '../../../src/main/engine/onnx/runtime';
import { randomVggWeights, rng, writeVggH5 } from './fixtures';
import { relativeError } from './naive-ops';

const { onnx } = onnxProto;
let dir: string;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(tmpdir(), 'engine-winograd-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomPhotos(n: number, size: number, seed: number): Uint8Array[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => new Uint8Array(size * size * 3).map(() => Math.floor(next() * 256)));
}

/** Runs `bytes` on this process's ONNX Runtime provider. */
async function runOnnx(bytes: Uint8Array, photos: Uint8Array[], size: number): Promise<Float32Array> {
  const decision = await providerDecision();
  if ('failed' in decision) throw new Error(decision.failed);
  const session = await openSession(decision, bytes);
  try {
    const pixels = new Uint8Array(photos.length * size * size * 3);
    photos.forEach((p, i) => pixels.set(p, i * p.length));
    const out = await session.run({ [session.inputNames[0]]: new decision.ort.Tensor('uint8', pixels, [photos.length, size, size, 3]) });
    return out[OUTPUT_NAME].data as Float32Array;
  } finally {
    await session.release();
  }
}

async function tfjsRun(model: tf.LayersModel, spec: ForwardSpec, photos: Uint8Array[]): Promise<Float32Array> {
  const forward = await openFrozenForward(model, spec, { runtime: 'tfjs' });
  try {
    return await forward.run(photos);
  } finally {
    await forward.dispose();
  }
}

/** Conv nodes of the exported graph with a 3×3 kernel (the ones left as direct convolutions). */
function direct3x3Convs(bytes: Uint8Array): number {
  const graph = onnx.ModelProto.decode(bytes).graph;
  return (graph?.node ?? []).filter((n) => {
    const shape = n.attribute?.find((a) => a.name === 'kernel_shape')?.ints?.map(Number);
    return n.opType === 'Conv' && shape?.[0] === 3 && shape?.[1] === 3;
  }).length;
}

function oddModel(size: number): tf.LayersModel {
  const init = (seed: number) => tf.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed });
  const input = tf.input({ shape: [size, size, 3] });
  const conv = (filters: number, padding: 'same' | 'valid', useBias: boolean, seed: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding,
      useBias,
      activation: 'relu',
      kernelInitializer: init(seed),
      biasInitializer: init(seed + 1)
    });
  let x = conv(16, 'same', true, 1).apply(input) as tf.SymbolicTensor;
  x = conv(24, 'valid', false, 3).apply(x) as tf.SymbolicTensor;
  x = conv(20, 'same', true, 5).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

describe('Winograd convolutions in the exported graph', () => {
  for (const tile of [2, 4] as const) {
    it(`F(${tile}×${tile}, 3×3): 'same' and 'valid' convs at 19 px (not whole tiles), with and without bias, equal tfjs`, async () => {
      const size = 19;
      const model = oddModel(size);
      const spec: ForwardSpec = { inputSize: size, preprocessing: 'tf', views: 1, pool: 'none', merge: 'concat' };
      const options: EncodeOptions = { winograd: { tile } };
      const bytes = encodeOnnx(buildIr(model, spec), 'test', options);
      expect(direct3x3Convs(bytes)).toBe(0);
      const photos = randomPhotos(2, size, tile);
      const [a, b] = [await runOnnx(bytes, photos, size), await tfjsRun(model, spec, photos)];
      expect(a.length).toBe(2 * 17 * 17 * 20);
      expect(relativeError(a, b)).toBeLessThan(1e-5);
      model.dispose();
    });
  }

  it('single-thread Winograd sessions side by side give the one-session direct features, in order, with runs in flight', async () => {
    const file = path.join(dir, 'vgg16-parallel.h5');
    await writeVggH5(file, randomVggWeights('vgg16', 13), { naming: 'new' });
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: file, inputSize: 56 });
    const spec = featureSpec(backbone, 'avg-flip');
    const ir = buildIr(backbone.base, spec);
    const decision = await providerDecision();
    if ('failed' in decision) throw new Error(decision.failed);
    const threads = await openOrtThreads(2, encodeOnnx(ir, 'test'), sessionOptions(decision.provider, 1));
    const forward = parallelOrtForward(threads, spec, [1024], describeProvider(decision));
    try {
      const photos = randomPhotos(5, 56, 14);
      // Two runs in flight at once, as extractFeatures keeps them: each gets its own photos back.
      const [a, b] = await Promise.all([forward.run(photos.slice(0, 3)), forward.run(photos.slice(3))]);
      const direct = await runOnnx(encodeOnnx(ir, 'test', { winograd: 'off' }), photos, 56);
      expect(forward.concurrency).toBe(2);
      expect(a.length + b.length).toBe(5 * 1024);
      expect(relativeError(Float32Array.from([...a, ...b]), direct)).toBeLessThan(1e-5);
    } finally {
      await forward.dispose();
      backbone.dispose();
    }
    await expect(forward.run(randomPhotos(1, 56, 15))).rejects.toThrow(/released/);
  });

  it('VGG16 (random .h5) at 56 px: blocks 3-5 are Winograd by default, the features equal the direct export', async () => {
    const file = path.join(dir, 'vgg16.h5');
    await writeVggH5(file, randomVggWeights('vgg16', 11), { naming: 'new' });
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: file, inputSize: 56 });
    const ir = buildIr(backbone.base, featureSpec(backbone, 'avg-flip'));
    const winograd = encodeOnnx(ir, 'test');
    const direct = encodeOnnx(ir, 'test', { winograd: 'off' });
    // block1 (3→64, 64→64) and block2 (64→128, 128→128) stay direct; the other nine are Winograd.
    expect(direct3x3Convs(direct)).toBe(13);
    expect(direct3x3Convs(winograd)).toBe(4);
    const photos = randomPhotos(2, 56, 12);
    expect(relativeError(await runOnnx(winograd, photos, 56), await runOnnx(direct, photos, 56))).toBeLessThan(1e-5);
    backbone.dispose();
  });
});

describe('when the exported graph uses Winograd, and in how many sessions', () => {
  const cpu = { name: 'cpu', config: 'cpu' } as const;
  const cuda = { name: 'cuda', config: 'cuda' } as const;

  it('on the CPU with 1 thread only (with more, its single-threaded transforms cost more wall time than they save)', () => {
    expect(winogradFor({ provider: cpu, threads: 1 })).toBe('auto');
    expect(winogradFor({ provider: cpu, threads: 2 })).toBe('off');
    expect(winogradFor({ provider: cpu, threads: 4 })).toBe('off');
  });

  it('never on a GPU provider, which chooses its own convolution algorithms', () => {
    expect(winogradFor({ provider: cuda, threads: 2 })).toBe('off');
    expect(forwardPlan({ provider: cuda, threads: 2 }, true)).toEqual({ sessions: 1, threadsEach: 2, winograd: 'off' });
  });

  it('on 2 to MAX_PARALLEL_SESSIONS cores, as one single-thread Winograd session per core', () => {
    for (let threads = 2; threads <= MAX_PARALLEL_SESSIONS; threads++)
      expect(forwardPlan({ provider: cpu, threads }, true)).toEqual({ sessions: threads, threadsEach: 1, winograd: 'auto' });
    expect(forwardPlan({ provider: cpu, threads: 1 }, true)).toEqual({ sessions: 1, threadsEach: 1, winograd: 'auto' });
  });

  it('names side-by-side sessions as such in the status label (not as one session with that many threads)', () => {
    expect(describeProvider({ provider: cpu, threads: 2, unavailable: [] }, 2).label).toBe('ONNX Runtime · CPU (2 single-thread sessions)');
    expect(describeProvider({ provider: cpu, threads: 2, unavailable: [] }).label).toBe('ONNX Runtime · CPU (2 threads)');
  });

  it('not for a graph without Winograd convs, nor beyond MAX_PARALLEL_SESSIONS cores: one session on every core', () => {
    expect(forwardPlan({ provider: cpu, threads: 2 }, false)).toEqual({ sessions: 1, threadsEach: 2, winograd: 'off' });
    const many = MAX_PARALLEL_SESSIONS + 1;
    expect(forwardPlan({ provider: cpu, threads: many }, true)).toEqual({ sessions: 1, threadsEach: many, winograd: 'off' });
  });
});
