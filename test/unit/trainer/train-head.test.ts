import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildHead } from '../../../src/main/engine/trainer/head';
import { createRng } from '../../../src/main/engine/trainer/rng';
import { trainHead, type TrainHeadOptions } from '../../../src/main/engine/trainer/train-head';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Three Gaussian blobs in 16 dimensions; `noise` controls how much they overlap. */
function blobs(n: number, seed: number, noise: number): { x: tf.Tensor2D; y: number[] } {
  const rng = createRng(seed);
  const y = [...Array(n)].map((_, i) => i % 3);
  const rows = y.map((c) => [...Array(16)].map((_, d) => (d % 3 === c ? 2 : 0) + noise * (rng.next() - 0.5)));
  return { x: tf.tensor2d(rows), y };
}

function options(overrides: Partial<TrainHeadOptions> = {}): TrainHeadOptions {
  const train = blobs(60, 1, 2);
  const val = blobs(30, 2, 2);
  return {
    head: buildHead({ kind: 'gap', featureShape: [16], numClasses: 3, seed: 3 }),
    train,
    val,
    numClasses: 3,
    epochs: 40,
    batchSize: 16,
    learningRate: 0.01,
    patience: 5,
    classWeights: [1, 1, 1],
    rng: createRng(4),
    ...overrides
  };
}

function disposeAll(o: TrainHeadOptions): void {
  tf.dispose([o.train.x, o.val?.x ?? []].flat());
  o.head.dispose();
}

describe('trainHead', () => {
  it('learns separable features (validation accuracy near 1)', async () => {
    const o = options();
    const result = await trainHead(o);
    expect(result.history.at(-1)?.valAcc).toBeGreaterThan(0.9);
    disposeAll(o);
  });

  it('is reproducible for the same seed', async () => {
    const a = options();
    const b = options();
    const ha = (await trainHead(a)).history;
    const hb = (await trainHead(b)).history;
    expect(hb).toEqual(ha);
    disposeAll(a);
    disposeAll(b);
  });

  it('stops early on validation loss and restores the best epoch', async () => {
    // Validation labels are rotated by one class: the better the head learns, the worse validation gets.
    const o = options({ val: { x: blobs(30, 2, 2).x, y: [...Array(30)].map((_, i) => (i + 1) % 3) }, epochs: 200 });
    const result = await trainHead(o);
    expect(result.stoppedEarly).toBe(true);
    expect(result.history.length).toBe(result.bestEpoch + 5);
    const best = result.history[result.bestEpoch - 1].valLoss as number;
    expect(best).toBe(Math.min(...result.history.map((h) => h.valLoss as number)));
    const probs = o.head.predict(o.val!.x) as tf.Tensor2D;
    const loss = tf.tidy(
      () =>
        tf.metrics
          .categoricalCrossentropy(tf.oneHot(o.val!.y as number[], 3), probs)
          .mean()
          .dataSync()[0]
    );
    expect(loss).toBeCloseTo(best, 4);
    probs.dispose();
    disposeAll(o);
  });

  it('stops between batches when asked, mid-epoch', async () => {
    let batches = 0;
    const o = options({ onBatch: () => batches++, shouldStop: () => batches >= 2 });
    const result = await trainHead(o);
    expect(result.cancelled).toBe(true);
    expect(batches).toBe(2);
    expect(result.history).toEqual([]);
    disposeAll(o);
  });

  it('leaves no tensors behind (the optimizer and weight snapshots are disposed)', async () => {
    const before = tf.memory().numTensors;
    for (let run = 0; run < 2; run++) {
      const o = options();
      await trainHead(o);
      disposeAll(o);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees the kept best weights when training fails part-way', async () => {
    const before = tf.memory().numTensors;
    const o = options({
      onEpoch: (e) => {
        if (e.epoch === 3) throw new Error('disk full');
      }
    });
    await expect(trainHead(o)).rejects.toThrow('disk full');
    disposeAll(o);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the VGG fc head', () => {
  it('trains fc6 → fc7 → fc8 on unpooled feature maps (small widths here)', async () => {
    const rng = createRng(9);
    const y = [...Array(48)].map((_, i) => i % 2);
    // Class 1 lights up the top-left cell of a 2×2×4 map.
    const x = tf.tensor4d(
      y.flatMap((c) => [...Array(16)].map((_, k) => (k < 4 && c === 1 ? 1 : 0) + 0.3 * rng.next())),
      [48, 2, 2, 4]
    );
    const head = buildHead({ kind: 'vgg-fc', featureShape: [2, 2, 4], numClasses: 2, seed: 1, fcUnits: 16 });
    expect(head.layers.map((l) => l.name)).toEqual(['flatten', 'fc6', 'fc6_dropout', 'fc7', 'fc7_dropout', 'fc8']);
    const result = await trainHead({
      head,
      train: { x, y },
      val: { x, y },
      numClasses: 2,
      epochs: 60,
      batchSize: 16,
      learningRate: 0.01,
      patience: 10,
      classWeights: [1, 1],
      rng
    });
    expect(result.history.at(-1)?.valAcc).toBe(1);
    x.dispose();
    head.dispose();
  });
});
