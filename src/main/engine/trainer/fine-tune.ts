/**
 * Stage 2: the base's top block and the stage-1 head train together, at a learning rate
 * 10–100× smaller so the pretrained filters shift gently, on the frozen lower part's maps of
 * augmented photos (see LowerMaps): only the top block runs forward and backward in tfjs. Each
 * epoch trains on its own augmented view of every photo. Its duration is measured on one batch
 * and reported before it starts.
 */
import * as tf from '@tensorflow/tfjs';
import { forwardHead } from './head';
import type { LowerMaps } from './lower-maps';
import type { TopBlockSplit } from './top-block';
import { evaluateLoss, runEpochs, trainableVariables, weightedStep, type TrainHeadOptions, type TrainResult } from './train-head';

export interface FineTuneOptions extends Omit<TrainHeadOptions, 'train' | 'val'> {
  split: TopBlockSplit;
  maps: LowerMaps;
  /** Class of each training photo (maps index i, or trainIndex[i]). */
  trainLabels: readonly number[];
  /** Class of each validation photo (maps index trainLabels.length + i, or valIndex[i]). */
  valLabels: readonly number[];
  /** Where training photo i sits in `maps` (a cross-validation fold trains on some of them); default i. */
  trainIndex?: readonly number[];
  /** Where validation photo i sits in `maps`; default trainLabels.length + i. */
  valIndex?: readonly number[];
  /** Globally average-pool the top block's output before the head ('gap' head). */
  pool: boolean;
  /** Called once before training with the estimated duration, ms. */
  onEstimate?(ms: number, imagesPerSec: number): void;
}

export async function fineTuneTopBlock(opts: FineTuneOptions): Promise<TrainResult> {
  const { split, maps, head } = opts;
  const optimizer = tf.train.adam(opts.learningRate);
  const weights = tf.tensor1d(opts.classWeights as number[]);
  const vars = [...trainableVariables(split.upper), ...trainableVariables(head)];
  const features = (x: tf.Tensor) => {
    const m = split.upper.apply(x) as tf.Tensor;
    return opts.pool && m.rank === 4 ? tf.mean(m, [1, 2]) : m;
  };
  const trainForward = (x: tf.Tensor) => forwardHead(head, features(x), true, opts.rng);
  const mapsAt = async (at: readonly number[], view: number) => tf.tensor(await maps.maps(at, view), [at.length, ...maps.mapShape]);
  const trainAt = opts.trainIndex ?? [...opts.trainLabels.keys()];
  const batchOf = (idx: number[], view: number) =>
    mapsAt(
      idx.map((i) => trainAt[i]),
      view
    );
  const valIdx = opts.valIndex ?? opts.valLabels.map((_, i) => opts.trainLabels.length + i);
  const val = valIdx.length > 0 ? { x: await mapsAt(valIdx, 0), y: opts.valLabels } : null;
  const upperCount = split.upper.getWeights().length;
  try {
    const stepMs = await timeOneStep(
      opts.batchSize,
      await batchOf([...opts.trainLabels.keys()].slice(0, opts.batchSize), 0),
      trainForward,
      vars
    );
    const batches = Math.ceil(opts.trainLabels.length / opts.batchSize);
    const valBatches = Math.ceil(valIdx.length / opts.batchSize);
    // A forward pass costs roughly a third of a training step.
    opts.onEstimate?.(opts.epochs * (batches + valBatches / 3) * stepMs, (opts.batchSize * 1000) / stepMs);
    return await runEpochs(
      { ...opts, train: { y: opts.trainLabels }, val },
      {
        step: (xb, yb) => weightedStep(optimizer, () => trainForward(xb), yb, weights, vars),
        evaluate: (data) => evaluateLoss((x) => forwardHead(head, features(x), false), data, opts.batchSize),
        batch: (idx, epoch) => batchOf(idx, epoch - 1),
        model: {
          getWeights: () => [...split.upper.getWeights(), ...head.getWeights()],
          setWeights: (ws) => {
            split.upper.setWeights(ws.slice(0, upperCount));
            head.setWeights(ws.slice(upperCount));
          }
        }
      }
    );
  } finally {
    optimizer.dispose();
    tf.dispose([weights, ...(val ? [val.x] : [])]);
  }
}

/**
 * Gradients of one batch, not applied: the measured cost of a training step. A step of the same
 * size runs first and is not counted: the first use of each kernel at a batch shape is several
 * times slower than the rest. Disposes `x`.
 */
async function timeOneStep(batchSize: number, x: tf.Tensor, forward: (x: tf.Tensor) => tf.Tensor2D, vars: tf.Variable[]): Promise<number> {
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => tf.mean(forward(x)) as tf.Scalar, vars);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  try {
    await step();
    const started = performance.now();
    await step();
    return ((performance.now() - started) * batchSize) / x.shape[0];
  } finally {
    x.dispose();
  }
}

/**
 * Seconds one training step of the top block and head costs per image on this machine now,
 * measured on a batch of blank maps (the values do not change the cost): what the fine-tune
 * check's estimate rests on. Leaves the weights as they were (gradients are not applied).
 */
export async function measureStepSeconds(split: TopBlockSplit, head: tf.Sequential, batchSize: number, pool: boolean): Promise<number> {
  const vars = [...trainableVariables(split.upper), ...trainableVariables(head)];
  const shape = split.upper.inputs[0].shape.slice(1) as number[];
  const x = tf.zeros([batchSize, ...shape]);
  const forward = (input: tf.Tensor) => {
    const m = split.upper.apply(input) as tf.Tensor;
    return forwardHead(head, pool && m.rank === 4 ? tf.mean(m, [1, 2]) : m, false);
  };
  return (await timeOneStep(batchSize, x, forward, vars)) / 1000 / batchSize;
}

/** Class probabilities of the photos at `at` in `maps` (view 0) through the top block and the head, no dropout. */
export async function topBlockProbabilities(
  split: TopBlockSplit,
  head: tf.Sequential,
  maps: LowerMaps,
  at: readonly number[],
  opts: { batchSize: number; pool: boolean }
): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (let start = 0; start < at.length; start += opts.batchSize) {
    const chunk = at.slice(start, start + opts.batchSize);
    const x = tf.tensor(await maps.maps(chunk, 0), [chunk.length, ...maps.mapShape]);
    const probs = tf.tidy(() => {
      const m = split.upper.apply(x) as tf.Tensor;
      return forwardHead(head, opts.pool && m.rank === 4 ? tf.mean(m, [1, 2]) : m, false);
    });
    parts.push((await probs.data()) as Float32Array);
    tf.dispose([x, probs]);
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (out.set(p, offset), offset + p.length), 0);
  return out;
}
