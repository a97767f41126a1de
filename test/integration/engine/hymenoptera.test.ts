import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagesToTensor, initBackend, loadBackbone, loadImage, type Backbone } from '../../../src/main/engine/index';

const SHARED = path.resolve(import.meta.dirname, '../../..', '../shared');
const DATA = path.join(SHARED, 'datasets/hymenoptera');
const TM = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');

interface Sample {
  file: string;
  label: number;
}

function samples(split: string): Sample[] {
  return ['ants', 'bees'].flatMap((cls, label) =>
    readdirSync(path.join(DATA, split, cls))
      .sort()
      .map((f) => ({ file: path.join(DATA, split, cls, f), label }))
  );
}

/** L2-normalised embeddings; files that do not decode (the GIF placeholder) are skipped. */
async function embedAll(backbone: Backbone, list: Sample[]): Promise<{ vectors: Float32Array[]; labels: number[] }> {
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < list.length; i += 16) {
    const batch: { pixels: Uint8Array; label: number }[] = [];
    for (const s of list.slice(i, i + 16)) {
      const pixels = await loadImage(s.file, 224).catch(() => null);
      if (pixels) batch.push({ pixels, label: s.label });
    }
    const x = imagesToTensor(
      batch.map((b) => b.pixels),
      224
    );
    const e = tf.tidy(() => {
      const raw = backbone.embed(x);
      return tf.div(raw, tf.norm(raw, 2, 1, true));
    });
    const data = e.dataSync();
    batch.forEach((b, k) => {
      vectors.push(data.slice(k * 1280, (k + 1) * 1280) as Float32Array);
      labels.push(b.label);
    });
    tf.dispose([x, e]);
  }
  return { vectors, labels };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe('real weights on real photos', () => {
  it('TM MobileNetV2 embeddings + nearest class mean reach ≥ 0.88 on hymenoptera val', async () => {
    await initBackend();
    const backbone = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM });
    const train = await embedAll(backbone, samples('train'));
    const val = await embedAll(backbone, samples('val'));
    backbone.dispose();
    const means = [0, 1].map((c) => {
      const m = new Float32Array(1280);
      const rows = train.vectors.filter((_, i) => train.labels[i] === c);
      for (const r of rows) for (let k = 0; k < 1280; k++) m[k] += r[k] / rows.length;
      return m;
    });
    const correct = val.vectors.filter((v, i) => (dot(v, means[1]) > dot(v, means[0]) ? 1 : 0) === val.labels[i]).length;
    const accuracy = correct / val.vectors.length;
    console.log(`hymenoptera: train ${train.vectors.length}, val ${val.vectors.length}, accuracy ${(accuracy * 100).toFixed(1)}%`);
    expect(train.vectors.length).toBeGreaterThan(240);
    expect(accuracy).toBeGreaterThanOrEqual(0.88);
  }, 600_000);
});
