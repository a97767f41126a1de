/**
 * A multi-scale run end to end, on quadrant photos (a red or blue square in one quadrant) drawn at
 * 128 px, MobileNetV2 0.35 at 96 + 128 px: the training pipeline with that size decision
 * computes and caches features at each size under the single sizes' own keys (a second run
 * computes none), does not fine-tune and says why, saves a classifier that takes one photo at
 * 160 px; re-predicting with that folder (ONNX Runtime) agrees with the run's own predictions,
 * and Grad-CAM on it (both branches' maps, the smaller resized onto the larger's grid) peaks in
 * the class square's quadrant.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradCam, loadCamModel } from '../../../src/main/engine/explain/index';
import { initBackend, loadImage } from '../../../src/main/engine/index';
import type { SizeDecision } from '../../../src/main/engine/trainer/choose-input-size';
import type { TrainingJob, TrainingJobResult } from '../../../src/main/engine/trainer/job-types';
import { runTrainingJob } from '../../../src/main/engine/trainer/pipeline';
import { runPredictJob } from '../../../src/main/engine/trainer/predict-job';
import { drawQuadrantPhotos, peakCell, QUADRANT_CLASSES, quadrantOfCell, type QuadrantPhoto } from '../explain/quadrant-photos';
import { TM_BASE } from './project-fixture';

let dir: string;
let photos: QuadrantPhoto[];
const cache = new Map<string, Map<string, Float32Array>>();
const DECISION: SizeDecision = { size: 128, scales: [96, 128], reason: '96+128 px: given by the test', fit: null, inference: null };

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-multiscale-run-'));
  photos = await drawQuadrantPhotos(path.join(dir, 'photos'), { perClass: 24, valPerClass: 4 });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function job(modelDir: string, overrides: Partial<TrainingJob['config']> = {}): TrainingJob {
  const labeled = photos.filter((p) => p.split !== 'test');
  const tests = photos.filter((p) => p.split === 'test');
  return {
    config: {
      backboneId: 'mobilenet_v2',
      weightsPath: TM_BASE,
      inputSize: 96,
      head: 'gap',
      classes: [...QUADRANT_CLASSES],
      epochs: 30,
      batchSize: 16,
      learningRate: 1e-3,
      patience: 5,
      fineTune: 'auto',
      fineTuneReason: 'Auto',
      fineTuneEpochs: 1,
      fineTuneLrDivisor: 30,
      headTraining: 'logistic-cv',
      inputSizes: { candidates: [96, 128], reason: 'test', multiScale: true },
      timeBudgetSeconds: 600,
      seed: 1,
      modelDir,
      backend: 'wasm',
      ...overrides
    },
    items: labeled.map((p, i) => ({
      photoId: i + 1,
      path: p.path,
      hash: p.path,
      classIndex: p.classIndex,
      split: p.split as 'train' | 'val'
    })),
    unlabeled: tests.map((p, i) => ({ photoId: 1000 + i, path: p.path, hash: p.path }))
  };
}

async function run(modelDir: string, overrides: Partial<TrainingJob['config']> = {}): Promise<TrainingJobResult> {
  const result = await runTrainingJob(
    job(modelDir, overrides),
    {
      onLoaded: () => undefined,
      onProgress: () => undefined,
      onFeatures: (extractor, entries) => {
        const store = cache.get(extractor) ?? new Map<string, Float32Array>();
        for (const e of entries) store.set(e.hash, e.data);
        cache.set(extractor, store);
      },
      requestCachedFeatures: async (extractor, hashes) => {
        const store = cache.get(extractor);
        return store ? hashes.filter((h) => store.has(h)).map((hash) => ({ hash, data: store.get(hash) as Float32Array })) : [];
      },
      shouldStop: () => false
    },
    DECISION
  );
  if (result === null) throw new Error('cancelled');
  return result;
}

describe('a multi-scale run', { timeout: 600_000 }, () => {
  let first: TrainingJobResult;
  const modelDir = () => path.join(dir, 'run-1');
  beforeAll(async () => {
    first = await run(modelDir());
  }, 600_000);

  it('reports the scales, keeps fine-tuning off with the reason, and learns the photos', () => {
    expect(first.choices.inputSize).toEqual({ value: 128, reason: '96+128 px: given by the test' });
    expect(first.choices.scales).toEqual([96, 128]);
    expect(first.choices.fineTune).toEqual({
      value: false,
      reason: expect.stringMatching(/^off: 96\+128 px side by side is for the frozen-feature classifier only/)
    });
    expect(first.choices.head.value).toBe('logistic-cv');
    expect(first.evaluation.accuracy).toBe(1);
  });

  it('caches features under the two single sizes’ keys, so a second run computes none', async () => {
    const keys = [...cache.keys()];
    expect(keys).toHaveLength(2);
    expect(keys.some((k) => k.includes('|96|'))).toBe(true);
    expect(keys.some((k) => k.includes('|128|'))).toBe(true);
    expect(first.features.computed).toBe(2 * photos.length);
    const again = await run(path.join(dir, 'run-2'), { fineTune: false, fineTuneReason: 'off: asked for (Never)' });
    expect(again.features).toMatchObject({ computed: 0, cached: 2 * photos.length });
    expect(again.evaluation).toEqual(first.evaluation);
    // Fine-tuning the plan already turned off keeps the plan's reason.
    expect(again.choices.fineTune).toEqual({ value: false, reason: 'off: asked for (Never)' });
  });

  it('saves a classifier that takes one photo at the larger size and names its scales', () => {
    const pre = JSON.parse(readFileSync(path.join(modelDir(), 'preprocessing.json'), 'utf8')) as { inputSize: number; scales: number[] };
    expect(pre).toMatchObject({ inputSize: 128, scales: [96, 128] });
  });

  it('re-predicts with the saved folder as the run predicted from its cached features', async () => {
    const items = job(modelDir()).unlabeled;
    const out = await runPredictJob(
      { modelDir: modelDir(), items, backend: 'wasm' },
      { onProgress: () => undefined, shouldStop: () => false }
    );
    const byId = new Map(first.predictions.map((p) => [p.photoId, p] as const));
    expect(out?.predictions).toHaveLength(items.length);
    for (const p of out?.predictions ?? []) {
      const own = byId.get(p.photoId);
      expect(p.classIndex).toBe(own?.classIndex);
      // The saved graph resizes its 96 px branch from the 128 px photo; the cache decoded 96 px directly.
      expect(Math.abs(p.confidence - (own?.confidence ?? 0))).toBeLessThan(0.05);
    }
  });

  it('explains with Grad-CAM over both branches: the heat peaks in the class square’s quadrant', async () => {
    const m = await loadCamModel(modelDir());
    try {
      expect(m.inputSize).toBe(128);
      expect(m.targetLayer).toBe('out_relu');
      expect(m.smaller).toHaveLength(1);
      let peaks = 0;
      let right = 0;
      const tests = photos.filter((p) => p.split === 'test');
      for (const p of tests) {
        const r = await gradCam(m, await loadImage(p.path, 128));
        expect([r.height, r.width]).toEqual([4, 4]);
        const { row, col } = peakCell(r.cam, r.width);
        if (quadrantOfCell(row, col, r.height, r.width) === p.quadrant) peaks++;
        if (r.predictedIndex === p.classIndex) right++;
      }
      expect(right).toBe(tests.length);
      const before = tf.memory().numTensors;
      await gradCam(m, await loadImage(tests[0].path, 128), 1);
      expect(tf.memory().numTensors).toBe(before);
      expect(peaks).toBeGreaterThanOrEqual(tests.length - 1);
    } finally {
      m.dispose();
    }
  });
});
