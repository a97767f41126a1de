/**
 * The cross-validated logistic head ends up in a plain Dense softmax layer: standardisation is
 * folded into its kernel and bias, so the saved model gives the fit's own probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/index';
import { predictSoftmax } from '../../../src/main/engine/linear/softmax-regression';
import { applyScaler } from '../../../src/main/engine/linear/standardize';
import { buildHead } from '../../../src/main/engine/trainer/head';
import type { LabeledItem } from '../../../src/main/engine/trainer/job-types';
import { fitLinearHead, linearRows, setHeadWeights } from '../../../src/main/engine/trainer/linear-head';
import { createRng } from '../../../src/main/engine/trainer/rng';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

/** 3 classes × 12 photos, 8-d features (two views each) with very different scales per feature. */
function photos(): { items: LabeledItem[]; features: Map<string, Float32Array> } {
  const rng = createRng(5);
  const items: LabeledItem[] = [];
  const features = new Map<string, Float32Array>();
  for (let i = 0; i < 36; i++) {
    const classIndex = i % 3;
    const hash = `h${i}`;
    items.push({ photoId: i + 1, path: `/p/${i}.jpg`, hash, classIndex, split: 'train' });
    const row = new Float32Array(16);
    for (let j = 0; j < 16; j++) row[j] = (j % 8) * 10 + (j % 8 === classIndex ? 2 : 0) + rng.next() * 1.5;
    features.set(hash, row);
  }
  return { items, features };
}

describe('linear head', () => {
  it('writes the fit into the Dense softmax layer so the head predicts exactly what the fit does', () => {
    const { items, features } = photos();
    const rows = linearRows(items, features, 8, 3);
    expect(rows.design.n).toBe(72);
    const fit = fitLinearHead(rows, { seed: 1 });
    expect(fit.cv?.folds).toBe(5);
    expect(fit.cv?.cvAccuracy).toBeGreaterThan(0.8);
    const head = buildHead({ kind: 'gap', featureShape: [8], numClasses: 3, seed: 1 });
    setHeadWeights(head, fit);
    const expected = predictSoftmax(fit.model, applyScaler(fit.scaler, rows.design));
    const got = tf.tidy(() => (head.predict(tf.tensor2d(Float32Array.from(rows.design.x), [72, 8])) as tf.Tensor).dataSync());
    for (let i = 0; i < expected.length; i++) expect(got[i]).toBeCloseTo(expected[i], 4);
    head.dispose();
  });

  it('falls back to the usual strength when a class has a single photo (no folds possible)', () => {
    const { items, features } = photos();
    const few = [items[0], items[1], items[4], items[2], items[5]];
    const fit = fitLinearHead(linearRows(few, features, 8, 3), { seed: 1 });
    expect(fit.cv).toBeNull();
    expect(fit.c).toBe(1e-2);
  });
});
