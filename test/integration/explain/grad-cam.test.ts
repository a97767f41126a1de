/**
 * Grad-CAM on real small runs: photos whose class is a red or blue square in one quadrant (with
 * a green square elsewhere that tells nothing), MobileNetV2 0.35 at 128 px (a 4×4 map). Trained
 * through the training pipeline (frozen base, then fine-tuned), and a VGG-style fc head through
 * the trainer's own head training; for each, the heat peaks in the class square's quadrant on
 * photos it never saw. Also: the map equals CAM's closed form for a pooled head (so the gradient
 * is right, through a max pool too), and nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVgg, imagesToTensor, initBackend, loadBackbone, loadImage, preprocessImages } from '../../../src/main/engine/index';
import { explainPhotos, gradCam, loadCamModel, type CamModel } from '../../../src/main/engine/explain/index';
import { buildClassifier, releaseClassifier } from '../../../src/main/engine/trainer/classifier';
import { buildHead } from '../../../src/main/engine/trainer/head';
import type { TrainingJob } from '../../../src/main/engine/trainer/job-types';
import { saveModelFolder } from '../../../src/main/engine/trainer/model-folder';
import { runTrainingJob } from '../../../src/main/engine/trainer/pipeline';
import { createRng } from '../../../src/main/engine/trainer/rng';
import { trainHead } from '../../../src/main/engine/trainer/train-head';
import { makeBackbone } from '../../../src/main/engine/backbone';
import { TM_BASE } from '../training/project-fixture';
import { drawQuadrantPhotos, peakCell, QUADRANT_CLASSES, quadrantOfCell, type QuadrantPhoto } from './quadrant-photos';

let dir: string;
let photos: QuadrantPhoto[];
const features = new Map<string, Float32Array>();

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-gradcam-'));
  photos = await drawQuadrantPhotos(path.join(dir, 'photos'), { perClass: 32, valPerClass: 4 });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function trainRun(name: string, overrides: Partial<TrainingJob['config']>): Promise<string> {
  const items = photos
    .filter((p) => p.split !== 'test')
    .map((p, i) => ({ photoId: i + 1, path: p.path, hash: p.path, classIndex: p.classIndex, split: p.split as 'train' | 'val' }));
  const modelDir = path.join(dir, name);
  const config: TrainingJob['config'] = {
    backboneId: 'mobilenet_v2',
    weightsPath: TM_BASE,
    inputSize: 128,
    head: 'gap',
    classes: [...QUADRANT_CLASSES],
    epochs: 30,
    batchSize: 16,
    learningRate: 1e-3,
    patience: 5,
    fineTune: false,
    fineTuneReason: 'off: asked for (Never)',
    fineTuneEpochs: 1,
    fineTuneLrDivisor: 30,
    // The Adam head these localisation figures were measured with (8 of 8 test photos right);
    // the cross-validated logistic head gets 7 of 8 here, a question for the head, not for Grad-CAM.
    headTraining: 'adam',
    inputSizes: { candidates: [128], reason: '128 px: test' },
    timeBudgetSeconds: 600,
    seed: 1,
    modelDir,
    backend: 'wasm',
    ...overrides
  };
  const result = await runTrainingJob(
    { config, items, unlabeled: [] },
    {
      onLoaded: () => undefined,
      onProgress: () => undefined,
      onFeatures: (_extractor, entries) => entries.forEach((e) => features.set(e.hash, e.data)),
      requestCachedFeatures: async (_extractor, hashes) =>
        hashes.filter((h) => features.has(h)).map((hash) => ({ hash, data: features.get(hash) as Float32Array })),
      shouldStop: () => false
    }
  );
  expect(result?.evaluation.accuracy).toBe(1);
  return modelDir;
}

function relativeError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  a.forEach((v, i) => {
    num += (v - b[i]) ** 2;
    den += b[i] ** 2;
  });
  return Math.sqrt(num / den);
}

/** Per held-out photo: whether the map peaks in its square's quadrant, and the share of the map there. */
async function localisation(m: CamModel): Promise<{ peaks: number; share: number; predicted: number }> {
  const tests = photos.filter((p) => p.split === 'test');
  let peaks = 0;
  let share = 0;
  let predicted = 0;
  for (const p of tests) {
    const r = await gradCam(m, await loadImage(p.path, m.inputSize));
    const { row, col } = peakCell(r.cam, r.width);
    if (quadrantOfCell(row, col, r.height, r.width) === p.quadrant) peaks++;
    if (r.predictedIndex === p.classIndex) predicted++;
    let inside = 0;
    let total = 0;
    r.cam.forEach((v, i) => {
      total += v;
      if (quadrantOfCell(Math.floor(i / r.width), i % r.width, r.height, r.width) === p.quadrant) inside += v;
    });
    share += inside / total / tests.length;
  }
  return { peaks, share, predicted };
}

describe('Grad-CAM on quadrant photos', { timeout: 600_000 }, () => {
  let frozen: CamModel;
  beforeAll(async () => {
    frozen = await loadCamModel(await trainRun('frozen-gap', {}));
  }, 600_000);
  afterAll(() => frozen.dispose());

  it('peaks in the quadrant of the class square (frozen base, pooled head)', async () => {
    expect(frozen.targetLayer).toBe('out_relu');
    const found = await localisation(frozen);
    expect(found.predicted).toBe(8);
    // 8 of 8 measured; a quarter of the map lies in each quadrant by chance.
    expect(found.peaks).toBeGreaterThanOrEqual(7);
    expect(found.share).toBeGreaterThan(0.5);
  });

  it('equals CAM for a pooled head: ReLU(Σ_k w_k,c · A_k) / (h·w) from the feature map and the dense weights', async () => {
    const photo = photos.find((p) => p.split === 'test' && p.classIndex === 1) as QuadrantPhoto;
    const pixels = await loadImage(photo.path, frozen.inputSize);
    const r = await gradCam(frozen, pixels, 0);
    const expected = tf.tidy(() => {
      const sub = tf.model({ inputs: frozen.base.inputs, outputs: frozen.target });
      const maps = sub.predict(preprocessImages(imagesToTensor([pixels], 128), frozen.preprocessing)) as tf.Tensor4D;
      const kernel = frozen.model.getLayer('head').getWeights()[0];
      // Score = logit₀ − mean logit = ((w₀ − w₁)/2)·mean(A) + const for two classes.
      const w = tf.div(tf.sub(kernel.slice([0, 0], [-1, 1]), kernel.slice([0, 1], [-1, 1])), 2).reshape([1, 1, 1, -1]);
      return tf.div(tf.relu(tf.sum(tf.mul(maps, w), 3)), r.height * r.width).dataSync() as Float32Array;
    });
    expect(r.classIndex).toBe(0);
    expect(r.cam.length).toBe(expected.length);
    expect(relativeError(r.cam, expected)).toBeLessThan(1e-5);
    expect(Math.max(...r.cam)).toBeGreaterThan(0);
  });

  it('leaves no tensor behind, whichever class it explains', async () => {
    const pixels = await loadImage(photos[0].path, frozen.inputSize);
    const baseline = tf.memory().numTensors;
    await gradCam(frozen, pixels);
    await gradCam(frozen, pixels, 1);
    expect(tf.memory().numTensors).toBe(baseline);
    const before = tf.memory().numTensors;
    const m = await loadCamModel(path.join(dir, 'frozen-gap'));
    await gradCam(m, pixels);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('explains photo files: overlay PNGs at the asked size, the chosen class, and unreadable files set aside', async () => {
    const broken = path.join(dir, 'broken.jpg');
    writeFileSync(broken, 'not a jpeg');
    const tests = photos.filter((p) => p.split === 'test').slice(0, 2);
    const run = await explainPhotos(frozen, [tests[0].path, broken, tests[1].path], { className: 'blue', renderSize: 200 });
    expect(run.failed.map((f) => f.path)).toEqual([broken]);
    expect(run.explanations.map((e) => e.className)).toEqual(['blue', 'blue']);
    const e = run.explanations[0];
    expect(e.predicted).toBe(QUADRANT_CLASSES[tests[0].classIndex]);
    expect(e.classProbability).toBeCloseTo(e.probs[1], 6);
    expect(e.cam).toHaveLength(4);
    expect(e.cam.flat().every((v) => v >= 0)).toBe(true);
    expect(await sharp(e.png as Uint8Array).metadata()).toMatchObject({ format: 'png', width: 200, height: 200 });
    const heat = await explainPhotos(frozen, [tests[0].path], { render: 'heatmap', renderSize: 64 });
    expect(await sharp(heat.explanations[0].png as Uint8Array).metadata()).toMatchObject({ width: 64, channels: 4 });
    await expect(explainPhotos(frozen, [tests[0].path], { className: 'green' })).rejects.toThrow('Its classes: red, blue');
  });

  it('peaks in the quadrant of the class square with a fine-tuned base', async () => {
    const m = await loadCamModel(await trainRun('fine-tuned-gap', { fineTune: true, fineTuneEpochs: 2 }));
    try {
      const found = await localisation(m);
      expect(found.predicted).toBe(8);
      expect(found.peaks).toBeGreaterThanOrEqual(7);
      expect(found.share).toBeGreaterThan(0.5);
    } finally {
      m.dispose();
    }
  });

  it('peaks in the quadrant of the class square with a VGG-style fc head (flatten → fc6 → fc7 → fc8)', async () => {
    const modelDir = path.join(dir, 'fc-head');
    const backbone = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 128 });
    const train = photos.filter((p) => p.split === 'train');
    const images = await Promise.all(train.map((p) => loadImage(p.path, 128)));
    const maps = tf.tidy(() => backbone.base.predict(backbone.preprocess(imagesToTensor(images, 128))) as tf.Tensor);
    // The pipeline's fc head is 4096 wide; 64 keeps this test fast and changes nothing Grad-CAM sees.
    const head = buildHead({ kind: 'vgg-fc', featureShape: maps.shape.slice(1), numClasses: 2, seed: 3, fcUnits: 64 });
    const y = train.map((p) => p.classIndex);
    await trainHead({
      head,
      train: { x: maps, y },
      val: null,
      numClasses: 2,
      epochs: 40,
      batchSize: 16,
      learningRate: 1e-3,
      patience: 40,
      classWeights: [1, 1],
      rng: createRng(3)
    });
    const classifier = buildClassifier(backbone, head, 'vgg-fc');
    const preprocessing = {
      mode: backbone.preprocessing,
      inputSize: 128,
      resize: 'shorter-side-center-crop',
      channelOrder: 'RGB',
      backboneId: backbone.id
    } as const;
    await saveModelFolder(classifier, modelDir, { labels: [...QUADRANT_CLASSES], preprocessing });
    releaseClassifier(backbone, head);
    tf.dispose([maps]);
    head.dispose();
    backbone.dispose();
    const m = await loadCamModel(modelDir);
    try {
      expect(m.logitsLayer).toBe('fc8');
      const found = await localisation(m);
      expect(found.predicted).toBe(8);
      expect(found.peaks).toBeGreaterThanOrEqual(7);
      expect(found.share).toBeGreaterThan(0.5);
    } finally {
      m.dispose();
    }
  });
});

describe('Grad-CAM on a VGG16 classifier (random weights)', { timeout: 300_000 }, () => {
  it('weighs block5_conv3 through block5_pool (the finer map) and equals CAM’s closed form there', async () => {
    await initBackend();
    const base = buildVgg('vgg16', 64);
    for (const layer of base.layers) {
      if (layer.weights.length === 0) continue;
      const random = layer.weights.map((w, i) => tf.randomUniform(w.shape as number[], -0.08, 0.08, 'float32', i + layer.name.length));
      layer.setWeights(random);
      tf.dispose(random);
    }
    const backbone = makeBackbone({ id: 'vgg16', inputSize: 64, preprocessing: 'caffe', weightsKey: 'random', base, topBlockLayers: [] });
    const head = buildHead({ kind: 'gap', featureShape: [512], numClasses: 3, seed: 5 });
    const classifier = buildClassifier(backbone, head, 'gap');
    const modelDir = path.join(dir, 'vgg-random');
    const preprocessing = {
      mode: 'caffe',
      inputSize: 64,
      resize: 'shorter-side-center-crop',
      channelOrder: 'RGB',
      backboneId: 'vgg16'
    } as const;
    await saveModelFolder(classifier, modelDir, { labels: ['a', 'b', 'c'], preprocessing });
    releaseClassifier(backbone, head);
    head.dispose();
    backbone.dispose();
    const baseline = tf.memory().numTensors;
    const m = await loadCamModel(modelDir);
    const pixels = await loadImage(photos[0].path, 64);
    const r = await gradCam(m, pixels, 2);
    expect(m.targetLayer).toBe('block5_conv3');
    expect([r.height, r.width]).toEqual([4, 4]); // block5_pool would be 2×2
    const expected = tf.tidy(() => {
      const sub = tf.model({ inputs: m.base.inputs, outputs: m.target });
      const maps = sub.predict(preprocessImages(imagesToTensor([pixels], 64), 'caffe')) as tf.Tensor4D;
      const kernel = m.model.getLayer('head').getWeights()[0];
      const w = tf.sub(kernel.slice([0, 2], [-1, 1]), tf.mean(kernel, 1, true)).reshape([1, 1, 1, -1]);
      // d mean(maxpool(A)) / dA is 1/(h'w') at each window's maximum: averaged over the 4×4 map, 1/(h·w).
      return tf.div(tf.relu(tf.sum(tf.mul(maps, w), 3)), 16).dataSync() as Float32Array;
    });
    expect(relativeError(r.cam, expected)).toBeLessThan(1e-5);
    m.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
