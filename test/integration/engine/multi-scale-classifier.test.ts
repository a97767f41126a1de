/**
 * The multi-scale classifier (engine/trainer/classifier.ts with two scales): one photo in at the
 * larger size, the smaller branch resized in the graph (Lanczos-3 as stock layers), both through
 * the same bundled MobileNetV2 base, pooled and concatenated. Its smaller branch is the 224 px
 * network on the resized photo (the base applied at 224 gives what a base built at 224 gives), it
 * survives a save and load of the model folder (stock TF.js layers only: nothing of this app is registered with tfjs)
 * and ONNX Runtime runs its exported graph (Transpose, MatMul, Concat) as tfjs does. The resize
 * itself matches Pillow's LANCZOS (the fixture is Pillow's output).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone, type Backbone } from '../../../src/main/engine/index';
import { openFrozenForward } from '../../../src/main/engine/inference/open-forward';
import { tfjsForward, tfjsInferenceInfo } from '../../../src/main/engine/inference/tfjs-forward';
import { preprocessImages } from '../../../src/main/engine/preprocessing';
import { buildClassifier, releaseClassifier } from '../../../src/main/engine/trainer/classifier';
import { buildHead } from '../../../src/main/engine/trainer/head';
import { loadModelFolder, saveModelFolder } from '../../../src/main/engine/trainer/model-folder';
import { loadImage } from '../../../src/main/engine/image';
import { resizeMatrix } from '../../../src/main/engine/resize-layers';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const BUNDLED = path.join(REPO_ROOT, 'resources/models/mobilenet_v2_035');
const PHOTOS = path.resolve(REPO_ROOT, '../shared/datasets/hymenoptera/val');

let big: Backbone;
let head: tf.Sequential;
let classifier: tf.LayersModel;
let dir: string;

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  big = await loadBackbone({ id: 'mobilenet_v2_035', weightsPath: BUNDLED, inputSize: 320 });
  head = buildHead({ kind: 'gap', featureShape: [2 * big.featureDim], numClasses: 3, seed: 5, dropout: 0 });
  classifier = buildClassifier(big, head, 'gap', [224, 320]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'ts-multiscale-'));
});

afterAll(async () => {
  releaseClassifier(big, head, 2);
  head.dispose();
  big.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function photos(): Promise<Uint8Array[]> {
  return Promise.all(['ants/10308379_1b6c72e180.jpg', 'bees/10870992_eebeeb3a12.jpg'].map((f) => loadImage(path.join(PHOTOS, f), 320)));
}

describe('multi-scale classifier', () => {
  it('takes one photo at 320 px and feeds the head 224 px and 320 px features of the same base, smallest first', async () => {
    expect(classifier.inputs[0].shape).toEqual([null, 320, 320, 3]);
    const small = await loadBackbone({ id: 'mobilenet_v2_035', weightsPath: BUNDLED, inputSize: 224 });
    const [pixels] = await photos();
    const features = tf.tidy(() => {
      const x = preprocessImages(tf.tensor4d(pixels, [1, 320, 320, 3], 'float32'), 'tf');
      const concat = tf.model({
        inputs: classifier.inputs,
        outputs: classifier.getLayer('features_multi_scale').output as tf.SymbolicTensor
      });
      const both = concat.predict(x) as tf.Tensor2D;
      // The Lanczos-3 resize as a matrix on each channel: M[320→224]ᵀ · X_c · M.
      const m = tf.tensor2d(resizeMatrix(320, 224), [320, 224]);
      const channels = tf.unstack(tf.transpose(x.squeeze([0]), [2, 0, 1]));
      const resized = tf
        .stack(
          channels.map((c) => tf.matMul(tf.matMul(m, c, true), m)),
          2
        )
        .expandDims(0) as tf.Tensor4D;
      const expected224 = tf.mean(small.base.predict(resized) as tf.Tensor, [1, 2]);
      const expected320 = tf.mean(big.base.predict(x) as tf.Tensor, [1, 2]);
      return {
        both: (both.arraySync() as number[][])[0],
        expected: (tf.concat([expected224, expected320], 1).arraySync() as number[][])[0]
      };
    });
    small.dispose();
    expect(features.both).toHaveLength(2 * big.featureDim);
    const worst = Math.max(...features.both.map((v, i) => Math.abs(v - features.expected[i])));
    expect(worst).toBeLessThan(1e-4);
  });

  it('saves and loads as a model folder that predicts what it predicted before saving', async () => {
    await saveModelFolder(classifier, dir, {
      labels: ['a', 'b', 'c'],
      preprocessing: { mode: 'tf', inputSize: 320, resize: 'shorter-side-center-crop', channelOrder: 'RGB', backboneId: big.id }
    });
    const loaded = await loadModelFolder(dir);
    const images = await photos();
    const spec = { inputSize: 320, preprocessing: 'tf', views: 2, pool: 'none', merge: 'mean' } as const;
    const info = await tfjsInferenceInfo([]);
    const before = await tfjsForward(classifier, spec, info).run(images);
    const after = await tfjsForward(loaded.model, spec, info).run(images);
    loaded.model.dispose();
    expect(Array.from(after)).toEqual(Array.from(before));
  });

  it('runs on ONNX Runtime (the resize as Transpose and MatMul, Concat) within 1e-4 of tfjs', async () => {
    const images = await photos();
    const spec = { inputSize: 320, preprocessing: 'tf', views: 2, pool: 'none', merge: 'mean' } as const;
    const onnx = await openFrozenForward(classifier, spec);
    expect(onnx.info.runtime).toBe('onnxruntime');
    const a = await onnx.run(images);
    await onnx.dispose();
    const b = await tfjsForward(classifier, spec, await tfjsInferenceInfo([])).run(images);
    expect(a).toHaveLength(6);
    expect(Math.max(...Array.from(a).map((v, i) => Math.abs(v - b[i])))).toBeLessThan(1e-4);
  });
});
