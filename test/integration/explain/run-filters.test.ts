/**
 * The filter gallery on a fine-tuned run's own network: saved classifiers (MobileNetV2 0.35 from
 * ../shared, a real model folder as the trainer writes it) whose top block's weights differ from
 * the pretrained ones show different images for a top-block layer and the same (shared from the
 * cache) for a layer below it; a damaged or missing folder falls back to the pretrained weights
 * and says why; a multi-scale classifier's base (applied twice, once behind the resize layers)
 * is found and nothing counts as refined.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/index';
import { loadFilterModel, loadRunFilterModel, visualizeFilters, type FilterModel } from '../../../src/main/engine/explain/index';
import { refineTopBlock, saveClassifier } from '../../helpers/saved-classifier';
import { TM_BASE } from '../training/project-fixture';

const FILTER_OPTS = { backboneId: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 128 };
const TOP = 'block_16_project';
const LOW = 'block_2_expand';
let dir: string;
let refinedDir: string;
let multiScaleDir: string;
/** The top-block kernel the refined classifier was saved with. */
let refinedKernel: Float32Array;

/** Saves a classifier; a refined one's top-block kernel is kept to compare with. */
async function saveRun(name: string, scales: number[], refine?: 'refine'): Promise<string> {
  return saveClassifier(dir, name, scales, refine && ((b) => (refinedKernel = refineTopBlock(b, TOP))));
}

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-run-filters-'));
  refinedDir = await saveRun('run-refined', [96], 'refine');
  multiScaleDir = await saveRun('run-multi-scale', [64, 96]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withModel<T>(load: Promise<FilterModel>, use: (m: FilterModel) => Promise<T>): Promise<T> {
  const m = await load;
  try {
    return await use(m);
  } finally {
    m.dispose();
  }
}

const images = (m: FilterModel, layer: string, cacheDir?: string) =>
  visualizeFilters(m, { layer, filters: [0, 1], settings: { steps: 3 }, cacheDir });

describe("filter images of a fine-tuned run's own network", { timeout: 300_000 }, () => {
  it('holds the saved top-block weights, names the refined layers, and leaks no tensor', async () => {
    const baseline = tf.memory().numTensors;
    await withModel(loadRunFilterModel({ ...FILTER_OPTS, runModelDir: refinedDir }), async (m) => {
      expect(m.source.kind).toBe('run');
      expect(m.source.fallback).toBeNull();
      expect(m.source.refinedLayers).toEqual(['block_16_expand', 'block_16_depthwise', 'block_16_project', 'Conv_1']);
      const kernel = m.model.getLayer(TOP).getWeights()[0].dataSync() as Float32Array;
      expect(Array.from(kernel)).toEqual(Array.from(refinedKernel));
    });
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('makes other images than the pretrained weights for a top-block layer, and the same (from the cache) below it', async () => {
    const cacheDir = path.join(dir, 'cache-1');
    const pretrained = await withModel(loadFilterModel(FILTER_OPTS), async (m) => [
      await images(m, TOP, cacheDir),
      await images(m, LOW, cacheDir)
    ]);
    const run = await withModel(loadRunFilterModel({ ...FILTER_OPTS, runModelDir: refinedDir }), async (m) => [
      await images(m, TOP, cacheDir),
      await images(m, LOW, cacheDir)
    ]);
    const [top, low] = [0, 1].map((i) => ({ pretrained: pretrained[i].filters, run: run[i].filters }));
    expect(top.run.map((f) => f.cached)).toEqual([false, false]);
    for (let i = 0; i < 2; i++) {
      expect(Buffer.from(top.run[i].png).equals(Buffer.from(top.pretrained[i].png))).toBe(false);
      expect(top.run[i].activationStart).not.toBe(top.pretrained[i].activationStart);
    }
    expect(low.run.map((f) => f.cached)).toEqual([true, true]);
    expect(low.run.map((f) => Buffer.from(f.png).toString('base64'))).toEqual(
      low.pretrained.map((f) => Buffer.from(f.png).toString('base64'))
    );
  });

  it('computes the same images below the refined block as the pretrained weights do (so sharing their cache is right)', async () => {
    const [a, b] = await Promise.all([
      withModel(loadFilterModel(FILTER_OPTS), (m) => images(m, LOW)),
      withModel(loadRunFilterModel({ ...FILTER_OPTS, runModelDir: refinedDir }), (m) => images(m, LOW))
    ]);
    expect(b.filters.map((f) => f.activationEnd)).toEqual(a.filters.map((f) => f.activationEnd));
  });

  it('falls back to the pretrained weights, saying why, when the model folder is damaged or missing', async () => {
    const damaged = await saveRun('run-damaged', [96], 'refine');
    truncateSync(path.join(damaged, 'weights.bin'), 1000);
    for (const folder of [damaged, path.join(dir, 'no-such-run')]) {
      await withModel(loadRunFilterModel({ ...FILTER_OPTS, runModelDir: folder }), async (m) => {
        expect(m.source).toMatchObject({ kind: 'pretrained', refinedLayers: [] });
        expect(m.source.fallback).toContain(folder);
        expect(m.source.fallback).toMatch(/missing or damaged/);
        const pretrainedKey = await withModel(loadFilterModel(FILTER_OPTS), async (p) => p.weightsKey);
        expect(m.weightsKey).toBe(pretrainedKey);
      });
    }
  });

  it("finds a multi-scale classifier's base (applied twice, once behind the resize layers): nothing refined", async () => {
    const cacheDir = path.join(dir, 'cache-2');
    await withModel(loadFilterModel(FILTER_OPTS), (m) => images(m, TOP, cacheDir));
    await withModel(loadRunFilterModel({ ...FILTER_OPTS, runModelDir: multiScaleDir }), async (m) => {
      expect(m.source).toEqual({ kind: 'run', fallback: null, refinedLayers: [] });
      expect((await images(m, TOP, cacheDir)).filters.map((f) => f.cached)).toEqual([true, true]);
    });
  });
});
