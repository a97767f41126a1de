/**
 * Filter visualisation on the real MobileNetV2 0.35 (Teachable Machine base in ../shared) at
 * 128 px: gradient ascent raises each filter's mean activation by a clear margin on an early
 * and a late layer, leaks no tensor, is cached on disk, stops when asked, and explains bad
 * requests. Also checks that the op-level graph runner it climbs through computes what
 * tfjs-layers computes, values and input gradients alike.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/index';
import { filterLayers, loadFilterModel, visualizeFilters, type FilterModel } from '../../../src/main/engine/explain/index';
import { runGraph } from '../../../src/main/engine/explain/graph-run';
import { TM_BASE } from '../training/project-fixture';

let model: FilterModel;
let dir: string;

beforeAll(async () => {
  await initBackend();
  model = await loadFilterModel({ backboneId: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 128 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-filters-'));
});
afterAll(() => {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe('filter visualisation on MobileNetV2', { timeout: 300_000 }, () => {
  for (const layer of ['block_2_expand', 'block_16_project']) {
    it(`raises the mean activation of filters 0–3 of ${layer} by a clear margin, leaking no tensor`, async () => {
      const baseline = tf.memory().numTensors;
      const run = await visualizeFilters(model, { layer, filters: [0, 1, 2, 3] });
      expect(tf.memory().numTensors).toBe(baseline);
      expect(run.cancelled).toBe(false);
      expect(run.filters.map((f) => f.index)).toEqual([0, 1, 2, 3]);
      const gains = run.filters.map((f) => f.activationEnd - f.activationStart);
      // Seeded: measured gains are 2.2–19 (early) and 4.3–9.5 (late) in activation units of these layers.
      for (const gain of gains) expect(gain).toBeGreaterThan(1.5);
      expect(gains.reduce((a, b) => a + b, 0) / gains.length).toBeGreaterThan(4);
      const meta = await sharp(run.filters[0].png).metadata();
      expect(meta).toMatchObject({ format: 'png', width: 128, height: 128, channels: 3 });
    });
  }

  it('serves a second request from the disk cache with the same images, and misses on other settings', async () => {
    const cacheDir = path.join(dir, 'cache');
    const request = { layer: 'block_1_expand', filters: [5, 6], cacheDir, settings: { steps: 3 } };
    const first = await visualizeFilters(model, request);
    const second = await visualizeFilters(model, request);
    expect(first.filters.map((f) => f.cached)).toEqual([false, false]);
    expect(second.filters.map((f) => f.cached)).toEqual([true, true]);
    expect(second.filters.map((f) => f.activationEnd)).toEqual(first.filters.map((f) => f.activationEnd));
    expect(Buffer.from(second.filters[1].png).equals(Buffer.from(first.filters[1].png))).toBe(true);
    const other = await visualizeFilters(model, { ...request, settings: { steps: 4 } });
    expect(other.filters.map((f) => f.cached)).toEqual([false, false]);
  });

  it('makes the same image for a filter whatever batch it is climbed in', async () => {
    const settings = { steps: 4 };
    const alone = await visualizeFilters(model, { layer: 'block_1_expand', filters: [2], settings });
    const together = await visualizeFilters(model, { layer: 'block_1_expand', filters: [0, 1, 2], batchSize: 3, settings });
    expect(together.filters[2].activationEnd).toBeCloseTo(alone.filters[0].activationEnd, 4);
  });

  it('stops between steps when asked and returns the filters finished before', async () => {
    const seen: number[] = [];
    const baseline = tf.memory().numTensors;
    const run = await visualizeFilters(
      model,
      { layer: 'block_1_expand', filters: [0, 1, 2], batchSize: 1, settings: { steps: 3 } },
      { onFilter: (f) => void seen.push(f.index), shouldStop: () => seen.length >= 1 }
    );
    expect(run.cancelled).toBe(true);
    expect(run.filters.map((f) => f.index)).toEqual([0]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('refuses an unknown layer, listing the conv layers with their filter counts', async () => {
    await expect(visualizeFilters(model, { layer: 'block_99_expand' })).rejects.toThrow(
      /no layer named "block_99_expand"\. Conv layers: Conv1 \(16\), .*block_16_project \(112\), Conv_1 \(1280\)/
    );
    await expect(visualizeFilters(model, { layer: 'block_1_expand', filters: [48] })).rejects.toThrow(/has 48 filters \(0–47\)/);
  });

  it('lists the conv layers in graph order with sizes at the input size', () => {
    const layers = filterLayers(model);
    expect(layers[0]).toEqual({ name: 'Conv1', className: 'Conv2D', filters: 16, height: 64, width: 64 });
    expect(layers.find((l) => l.name === 'block_2_depthwise')).toMatchObject({ className: 'DepthwiseConv2D', filters: 48 });
    expect(layers.at(-1)).toMatchObject({ name: 'Conv_1', filters: 1280, height: 4, width: 4 });
  });
});

describe('the op-level graph runner', { timeout: 120_000 }, () => {
  it('computes the values and input gradients tfjs-layers computes (MobileNetV2, BN, ReLU6, depthwise, residual adds)', () => {
    const target = model.model.getLayer('block_5_add').output as tf.SymbolicTensor;
    const sub = tf.model({ inputs: model.model.inputs, outputs: target });
    const x = tf.randomUniform([2, 128, 128, 3], -1, 1, 'float32', 3);
    const ours = (img: tf.Tensor) => runGraph(model.model, new Map([[model.model.inputs[0].id, img]]), target);
    const theirs = (img: tf.Tensor) => sub.apply(img) as tf.Tensor;
    const weights = tf.randomNormal(target.shape.slice(1) as number[], 0, 1, 'float32', 4);
    const loss = (f: (img: tf.Tensor) => tf.Tensor) => (img: tf.Tensor) => tf.sum(tf.mul(f(img), weights));
    const [a, b] = [ours(x), theirs(x)];
    const [ga, gb] = [tf.grad(loss(ours))(x), tf.grad(loss(theirs))(x)];
    expect(relativeError(a.dataSync() as Float32Array, b.dataSync() as Float32Array)).toBeLessThan(1e-5);
    expect(relativeError(ga.dataSync() as Float32Array, gb.dataSync() as Float32Array)).toBeLessThan(1e-4);
    tf.dispose([x, weights, a, b, ga, gb]);
  });
});
