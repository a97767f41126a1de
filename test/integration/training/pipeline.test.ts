/**
 * The training pipeline in-process (as the worker runs it), on photos drawn with sharp and the
 * real MobileNetV2 0.35 base at 96 px: it learns, reports phases in order, reuses cached
 * features, stops when asked, and leaves no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/index';
import { forwardPassCounter } from '../../../src/main/engine/trainer/features';
import type { FeatureEntry, LabeledItem, TrainingJob, TrainingProgressData } from '../../../src/main/engine/trainer/job-types';
import { runTrainingJob, type TrainingJobIO } from '../../../src/main/engine/trainer/pipeline';
import { drawSyntheticPhotos, drawUnlabeledPhotos, SYNTHETIC_CLASSES } from './synthetic-photos';
import { formatC } from '../../../src/shared/format';

const repoRoot = path.resolve(__dirname, '../../..');
const TM_BASE = path.join(path.resolve(repoRoot, '../shared'), 'models/mobilenet-v2-0.35-224-tm-base');

let dir: string;
let items: LabeledItem[];
let unlabeled: { photoId: number; path: string; hash: string }[];
const cache = new Map<string, Float32Array>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-pipeline-'));
  const root = await drawSyntheticPhotos(path.join(dir, 'shapes'), { perClass: 10, valPerClass: 5 });
  const extra = await drawUnlabeledPhotos(path.join(dir, 'unlabeled'), 6);
  let id = 1;
  items = [];
  for (const split of ['train', 'val'] as const) {
    SYNTHETIC_CLASSES.forEach((name, classIndex) => {
      for (const file of readdirSync(path.join(root, split, name)).sort()) {
        items.push({ photoId: id++, path: path.join(root, split, name, file), hash: `${split}/${name}/${file}`, classIndex, split });
      }
    });
  }
  unlabeled = readdirSync(extra)
    .sort()
    .map((file) => ({ photoId: id++, path: path.join(extra, file), hash: `u/${file}` }));
  await initBackend({ prefer: 'wasm' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function job(overrides: Partial<TrainingJob['config']> = {}): TrainingJob {
  return {
    config: {
      backboneId: 'mobilenet_v2',
      weightsPath: TM_BASE,
      inputSize: 96,
      head: 'gap',
      classes: [...SYNTHETIC_CLASSES],
      epochs: 30,
      batchSize: 16,
      learningRate: 1e-3,
      patience: 5,
      fineTune: false,
      fineTuneReason: 'off: asked for (Never)',
      fineTuneEpochs: 1,
      fineTuneLrDivisor: 30,
      headTraining: 'logistic-cv',
      inputSizes: { candidates: [96], reason: '96 px: test' },
      timeBudgetSeconds: 600,
      seed: 1,
      modelDir: path.join(dir, `model-${Math.random().toString(36).slice(2)}`),
      backend: 'wasm',
      ...overrides
    },
    items,
    unlabeled
  };
}

function io(progress: TrainingProgressData[] = [], shouldStop: () => boolean = () => false): TrainingJobIO {
  return {
    onLoaded: () => undefined,
    onProgress: (p) => progress.push(p),
    onFeatures: (_extractor, entries: FeatureEntry[]) => entries.forEach((e) => cache.set(e.hash, e.data)),
    requestCachedFeatures: async (_extractor, hashes) =>
      hashes.filter((h) => cache.has(h)).map((hash) => ({ hash, data: cache.get(hash) as Float32Array })),
    shouldStop
  };
}

/** A feature cache keyed like the project's (by extractor, so sizes do not mix), for runs that compare sizes. */
function keyedIo(cache: Map<string, Float32Array>, progress: TrainingProgressData[] = []): TrainingJobIO {
  return {
    ...io(progress),
    onFeatures: (extractor, entries: FeatureEntry[]) => entries.forEach((e) => cache.set(`${extractor}|${e.hash}`, e.data)),
    requestCachedFeatures: async (extractor, hashes) =>
      hashes.flatMap((hash) => {
        const data = cache.get(`${extractor}|${hash}`);
        return data ? [{ hash, data }] : [];
      })
  };
}

describe('runTrainingJob', () => {
  it('learns the shapes, reports its phases in order, saves the model and predicts unlabeled photos', async () => {
    const progress: TrainingProgressData[] = [];
    const j = job();
    const result = await runTrainingJob(j, io(progress));
    expect(result?.evaluation.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(result?.inference).toMatch(/^ONNX Runtime · CPU \(\d+ threads?\)$/);
    const phases = progress.map((p) => p.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['loading', 'features', 'training', 'evaluating', 'predicting', 'saving']);
    const epochs = progress.flatMap((p) => (p.epochMetrics ? [p.epochMetrics.epoch] : []));
    expect(epochs).toEqual([...Array(epochs.length)].map((_, i) => i + 1));
    expect(result?.predictions.map((p) => p.photoId)).toEqual(unlabeled.map((u) => u.photoId));
    expect(
      ['model.json', 'weights.bin', 'labels.json', 'preprocessing.json'].every((f) => existsSync(path.join(j.config.modelDir, f)))
    ).toBe(true);
  });

  it('computes no feature twice: the second run takes every feature from the cache', async () => {
    const before = forwardPassCounter.images;
    const result = await runTrainingJob(job({ seed: 2 }), io());
    expect(forwardPassCounter.images).toBe(before);
    expect(result?.features).toMatchObject({ computed: 0, cached: items.length + unlabeled.length });
  });

  it('returns tf.memory().numTensors to its baseline across two runs, one with fine-tuning', async () => {
    const baseline = tf.memory().numTensors;
    await runTrainingJob(job(), io());
    const tuned = await runTrainingJob(job({ fineTune: true, epochs: 3 }), io());
    expect(tuned?.fineTuneHistory).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('leaves out an unlabeled photo that cannot be decoded, also when the base was fine-tuned', async () => {
    const broken = path.join(dir, 'broken.jpg');
    writeFileSync(broken, 'not a jpeg');
    const j = { ...job({ fineTune: true, epochs: 2 }), unlabeled: [...unlabeled, { photoId: 999, path: broken, hash: 'u/broken' }] };
    const result = await runTrainingJob(j, io());
    expect(result?.features.failed.map((f) => f.photoId)).toEqual([999]);
    expect(result?.predictions.map((p) => p.photoId)).toEqual(unlabeled.map((u) => u.photoId));
  });

  it('stops mid-epoch when cancelled and returns null, leaking nothing', async () => {
    const baseline = tf.memory().numTensors;
    let batches = 0;
    const progress: TrainingProgressData[] = [];
    const stop = () => progress.some((p) => p.phase === 'training' && p.done > 0) && ++batches > 1;
    const result = await runTrainingJob(job({ epochs: 500 }), io(progress, stop));
    expect(result).toBeNull();
    expect(progress.some((p) => p.phase === 'evaluating')).toBe(false);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('chooses the input size and whether fine-tuning pays by cross-validation on the training photos, and says why', async () => {
    const baseline = tf.memory().numTensors;
    const progress: TrainingProgressData[] = [];
    const config = { fineTune: 'auto' as const, fineTuneReason: 'Auto: test', inputSizes: { candidates: [64, 96], reason: 'test' } };
    const result = await runTrainingJob(job(config), keyedIo(new Map(), progress));
    const choices = result?.choices;
    expect(choices?.inputSize.reason).toMatch(/^(64|96) px: CV \d\.\d{3} vs \d\.\d{3} at (64|96)/);
    expect(choices?.inputSize.reason.startsWith(`${choices?.inputSize.value} px`)).toBe(true);
    expect(choices?.head.value).toBe('logistic-cv');
    expect(choices?.headCv.length).toBeGreaterThan(1);
    // The head's C is the one with the best CV accuracy: what the run reports as its CV estimate.
    expect(choices?.cvAccuracy).toBe(Math.max(...(choices?.headCv ?? []).map((p) => p.accuracy)));
    // Exactly one point is the strength the head was refitted with, and it is a best-accuracy one.
    const chosen = (choices?.headCv ?? []).filter((p) => p.chosen);
    expect(chosen).toHaveLength(1);
    expect(chosen[0].accuracy).toBe(choices?.cvAccuracy);
    expect(choices?.head.reason).toContain(`C = ${formatC(chosen[0].c)}:`);
    expect(choices?.fineTune.reason).toMatch(/^(on|off): CV \d\.\d{3} fine-tuned vs \d\.\d{3} frozen \(3 folds/);
    expect((result?.fineTuneHistory.length ?? 0) > 0).toBe(choices?.fineTune.value);
    expect(result?.timings.choose).toBeGreaterThan(0);
    expect(result?.timings.fineTuneCheck).toBeGreaterThan(0);
    expect(progress.some((p) => p.note?.startsWith('does fine-tuning pay?'))).toBe(true);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
