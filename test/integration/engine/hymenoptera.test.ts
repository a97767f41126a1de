import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAhead, initBackend, loadBackbone, openBackboneForward, type FrozenForward } from '../../../src/main/engine/index';

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

/**
 * L2-normalised embeddings through the app's frozen forward pass (ONNX Runtime, decoding ahead);
 * files that do not decode (the GIF placeholder) are skipped.
 */
async function embedAll(forward: FrozenForward, list: Sample[]): Promise<{ vectors: Float32Array[]; labels: number[] }> {
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  const items = list.map((s) => ({ path: s.file, label: s.label }));
  for await (const batch of decodeAhead(items, { inputSize: 224, batchSize: 16 })) {
    const data = await forward.run(batch.decoded.map((d) => d.pixels));
    batch.decoded.forEach((d, k) => {
      const row = data.slice(k * 1280, (k + 1) * 1280);
      const norm = Math.hypot(...row);
      vectors.push(row.map((v) => v / norm));
      labels.push(d.item.label);
    });
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
    const forward = await openBackboneForward(backbone, 'avg');
    expect(forward.info.runtime).toBe('onnxruntime');
    const train = await embedAll(forward, samples('train'));
    const val = await embedAll(forward, samples('val'));
    await forward.dispose();
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
