/**
 * Stage 2: unfreeze the base's top block and train it together with the stage-1 head on
 * augmented photos, at a learning rate 10–100× smaller so the pretrained filters shift gently.
 * Photos (not cached features) are the input here, so this is the slow stage; its duration is
 * measured on one batch and reported before it starts.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../index';
import { augmentBatch } from './augment';
import { forwardHead } from './head';
import { evaluateLoss, runEpochs, trainableVariables, weightedStep, type TrainHeadOptions, type TrainResult } from './train-head';

/** Stage 1's options (train holds RGB 0..255 images [N,S,S,3] here), plus the base and the classifier over it. */
export interface FineTuneOptions extends TrainHeadOptions {
  backbone: Backbone;
  /** Built over backbone.base and head; its weights are what early stopping restores. */
  classifier: tf.LayersModel;
  /** Globally average-pool the base output before the head ('gap' head). */
  pool: boolean;
  /** Called once before training with the estimated duration, ms. */
  onEstimate?(ms: number, imagesPerSec: number): void;
}

export async function fineTuneTopBlock(opts: FineTuneOptions): Promise<TrainResult> {
  const optimizer = tf.train.adam(opts.learningRate);
  const weights = tf.tensor1d(opts.classWeights as number[]);
  const vars = trainableVariables(opts.classifier);
  const pooled = (x: tf.Tensor4D) => {
    const maps = opts.backbone.base.apply(opts.backbone.preprocess(x)) as tf.Tensor;
    return opts.pool && maps.rank === 4 ? tf.mean(maps, [1, 2]) : maps;
  };
  const trainForward = (x: tf.Tensor) => forwardHead(opts.head, pooled(augmentBatch(x as tf.Tensor4D, opts.rng)), true, opts.rng);
  try {
    const stepMs = await timeOneStep(opts, trainForward, vars);
    const batches = Math.ceil(opts.train.y.length / opts.batchSize);
    const valBatches = opts.val ? Math.ceil(opts.val.y.length / opts.batchSize) : 0;
    // A forward pass costs roughly a third of a training step.
    const estimate = opts.epochs * (batches + valBatches / 3) * stepMs;
    opts.onEstimate?.(estimate, (opts.batchSize * 1000) / stepMs);
    return await runEpochs(opts, {
      step: (xb, yb) => weightedStep(optimizer, () => trainForward(xb), yb, weights, vars),
      evaluate: (data) =>
        evaluateLoss((x) => opts.classifier.predict(opts.backbone.preprocess(x as tf.Tensor4D)) as tf.Tensor2D, data, opts.batchSize),
      model: opts.classifier
    });
  } finally {
    optimizer.dispose();
    weights.dispose();
  }
}

/**
 * Gradients of one batch, not applied: the measured cost of a training step. A step of the same
 * size runs first and is not counted: the first use of each kernel at a batch shape is several
 * times slower than the rest (warming up with two images left the estimate about 5× too long).
 */
async function timeOneStep(opts: FineTuneOptions, forward: (x: tf.Tensor) => tf.Tensor2D, vars: tf.Variable[]): Promise<number> {
  const step = async (n: number) => {
    const { value, grads } = tf.variableGrads(() => tf.mean(forward(opts.train.x.slice(0, n))) as tf.Scalar, vars);
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const n = Math.min(opts.batchSize, opts.train.y.length);
  await step(n);
  const started = performance.now();
  await step(n);
  return ((performance.now() - started) * opts.batchSize) / n;
}
