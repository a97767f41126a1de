/**
 * Re-predicting with a saved model folder: the whole classifier (nested base, pooling, a
 * Sequential head with dropout and softmax) is exported and runs on ONNX Runtime, and its
 * probabilities equal tfjs's on the same photos (flip-averaged), with the export kept once.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesToTensor, initBackend, loadBackbone, loadImage, preprocessImages } from '../../../src/main/engine/index';
import { buildClassifier, releaseClassifier } from '../../../src/main/engine/trainer/classifier';
import { buildHead } from '../../../src/main/engine/trainer/head';
import { loadModelFolder, saveModelFolder } from '../../../src/main/engine/trainer/model-folder';
import { runPredictJob } from '../../../src/main/engine/trainer/predict-job';
import { relativeError } from '../../unit/engine/naive-ops';
import { drawUnlabeledPhotos } from './synthetic-photos';

const TM_BASE = path.resolve(import.meta.dirname, '../../..', '../shared/models/mobilenet-v2-0.35-224-tm-base');
let dir: string;
let modelDir: string;
let photos: { photoId: number; path: string; hash: string }[];

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-predict-job-'));
  const folder = await drawUnlabeledPhotos(path.join(dir, 'photos'), 5);
  photos = readdirSync(folder)
    .sort()
    .map((f, i) => ({ photoId: i + 1, path: path.join(folder, f), hash: f }));
  const backbone = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 96 });
  const head = buildHead({ kind: 'gap', featureShape: [1280], numClasses: 3, seed: 5 });
  const classifier = buildClassifier(backbone, head, 'gap');
  modelDir = path.join(dir, 'run-1');
  await saveModelFolder(classifier, modelDir, {
    labels: ['a', 'b', 'c'],
    preprocessing: { mode: 'tm', inputSize: 96, resize: 'shorter-side-center-crop', channelOrder: 'RGB', backboneId: 'mobilenet_v2' }
  });
  releaseClassifier(backbone, head);
  head.dispose();
  backbone.dispose();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The same classifier in tfjs: mean of the photo's and its mirror image's probabilities. */
async function tfjsProbabilities(): Promise<Float32Array> {
  const loaded = (await loadModelFolder(modelDir)).model;
  const pixels = await Promise.all(photos.map((p) => loadImage(p.path, 96)));
  const probs = tf.tidy(() => {
    const x = imagesToTensor(pixels, 96);
    const a = loaded.predict(preprocessImages(x, 'tm')) as tf.Tensor;
    const b = loaded.predict(preprocessImages(tf.reverse(x, 2) as tf.Tensor4D, 'tm')) as tf.Tensor;
    return tf.div(tf.add(a, b), 2);
  });
  const out = (await probs.data()) as Float32Array;
  probs.dispose();
  loaded.dispose();
  return out;
}

describe('runPredictJob', () => {
  it('runs the saved classifier on ONNX Runtime with the same probabilities as tfjs, exporting it once', async () => {
    const cacheDir = path.join(dir, 'onnx');
    const job = { modelDir, items: photos, backend: 'wasm' as const, exportCacheDir: cacheDir };
    const io = { onProgress: () => undefined, shouldStop: () => false };
    const first = await runPredictJob(job, io);
    expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^classifier-mobilenet_v2-96-[0-9a-f]{16}\.onnx$/)]);
    const second = await runPredictJob(job, io);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(first?.classes).toEqual(['a', 'b', 'c']);
    expect(first?.predictions.map((p) => p.photoId)).toEqual(photos.map((p) => p.photoId));
    const got = Float32Array.from(first!.predictions.flatMap((p) => p.probs));
    expect(relativeError(got, await tfjsProbabilities())).toBeLessThan(1e-4);
    expect(second?.predictions).toEqual(first?.predictions);
  });
});
