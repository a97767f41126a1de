/**
 * Stage 1: the head learns from cached features with Adam, seeded shuffling, class weights,
 * and early stopping on validation loss that restores the best epoch's weights.
 */
import * as tf from '@tensorflow/tfjs';
import { forwardHead } from './head';
import type { EpochStats } from './job-types';
import { shuffled, type Rng } from './rng';

export type { EpochStats };

export interface LabeledTensor {
  /** [N, ...featureShape] features (or images for fine-tuning). */
  x: tf.Tensor;
  /** Class index of each row. */
  y: readonly number[];
}

export interface BatchStats {
  epoch: number;
  batch: number;
  batches: number;
  /** Exponentially smoothed over batches. */
  loss: number;
  acc: number;
  /** Samples in this batch. */
  size: number;
}

export interface TrainLoopHooks {
  onBatch?(stats: BatchStats): void;
  onEpoch?(stats: EpochStats): void;
  /** Polled between batches; true stops the loop (cancel). */
  shouldStop?(): boolean;
}

export interface TrainHeadOptions extends TrainLoopHooks {
  head: tf.Sequential;
  train: LabeledTensor;
  val: LabeledTensor | null;
  numClasses: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  classWeights: readonly number[];
  rng: Rng;
}

export interface TrainResult {
  history: EpochStats[];
  /** 1-based epoch whose weights the head ends with. */
  bestEpoch: number;
  stoppedEarly: boolean;
  cancelled: boolean;
}

/** Lets IPC messages (cancel) in between batches: tfjs on cpu/wasm never yields on its own. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export async function trainHead(opts: TrainHeadOptions): Promise<TrainResult> {
  const optimizer = tf.train.adam(opts.learningRate);
  const weights = tf.tensor1d(opts.classWeights as number[]);
  const forward = (x: tf.Tensor, training: boolean) => forwardHead(opts.head, x, training, opts.rng);
  try {
    return await runEpochs(opts, {
      step: (xb, yb) => weightedStep(optimizer, () => forward(xb, true), yb, weights, trainableVariables(opts.head)),
      evaluate: (data) => evaluateLoss((x) => forward(x, false), data, opts.batchSize),
      model: opts.head
    });
  } finally {
    optimizer.dispose();
    weights.dispose();
  }
}

/** The tf.Variables behind a model's trainable weights, so only they are optimised. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export interface EpochRunner {
  /** One optimisation step; returns [loss, accuracy] of the batch. */
  step(x: tf.Tensor, y: tf.Tensor1D): Promise<[number, number]>;
  evaluate(data: LabeledTensor): Promise<{ loss: number; acc: number }>;
  /** Whose weights early stopping snapshots and restores. */
  model: Pick<tf.LayersModel, 'getWeights' | 'setWeights'>;
  /** The inputs of training rows `idx` at an epoch (1-based); default: gathered from train.x. */
  batch?(idx: number[], epoch: number): Promise<tf.Tensor>;
}

/** Stage 1's options; a runner with its own `batch` needs no train.x. */
type LoopOptions = Omit<TrainHeadOptions, 'head' | 'train'> & { train: { x?: tf.Tensor; y: readonly number[] } };

/** The epoch/batch loop shared by stage 1 (features) and stage 2 (images). */
export async function runEpochs(opts: LoopOptions, runner: EpochRunner): Promise<TrainResult> {
  const early = new BestWeights(runner.model, opts.patience);
  try {
    return await epochLoop(opts, runner, early);
  } finally {
    early.discard();
  }
}

async function epochLoop(opts: LoopOptions, runner: EpochRunner, early: BestWeights): Promise<TrainResult> {
  const history: EpochStats[] = [];
  const smooth = { loss: NaN, acc: NaN };
  const batches = Math.ceil(opts.train.y.length / opts.batchSize);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = shuffled([...opts.train.y.keys()], opts.rng);
    let sums = { loss: 0, acc: 0, n: 0 };
    for (let b = 0; b < batches; b++) {
      await yieldToEventLoop();
      if (opts.shouldStop?.()) return early.finish(history, true);
      const idx = order.slice(b * opts.batchSize, (b + 1) * opts.batchSize);
      const [loss, acc] = await stepOn(runner, opts.train, idx, epoch);
      sums = { loss: sums.loss + loss * idx.length, acc: sums.acc + acc * idx.length, n: sums.n + idx.length };
      smooth.loss = Number.isNaN(smooth.loss) ? loss : 0.9 * smooth.loss + 0.1 * loss;
      smooth.acc = Number.isNaN(smooth.acc) ? acc : 0.9 * smooth.acc + 0.1 * acc;
      opts.onBatch?.({ epoch, batch: b + 1, batches, loss: smooth.loss, acc: smooth.acc, size: idx.length });
    }
    const val = opts.val && opts.val.y.length > 0 ? await runner.evaluate(opts.val) : null;
    const stats: EpochStats = {
      epoch,
      loss: sums.loss / sums.n,
      acc: sums.acc / sums.n,
      valLoss: val?.loss ?? null,
      valAcc: val?.acc ?? null
    };
    history.push(stats);
    opts.onEpoch?.(stats);
    if (early.update(stats)) return early.finish(history, false, true);
  }
  return early.finish(history, false);
}

async function stepOn(runner: EpochRunner, data: LoopOptions['train'], idx: number[], epoch: number): Promise<[number, number]> {
  const indices = tf.tensor1d(idx, 'int32');
  const xb = runner.batch ? await runner.batch(idx, epoch) : tf.gather(data.x as tf.Tensor, indices);
  const yb = tf.tensor1d(
    idx.map((i) => data.y[i]),
    'int32'
  );
  try {
    return await runner.step(xb, yb);
  } finally {
    tf.dispose([indices, xb, yb]);
  }
}

/** Class-weighted cross-entropy step (Keras-style: mean of weighted per-sample losses). */
export async function weightedStep(
  optimizer: tf.Optimizer,
  predict: () => tf.Tensor2D,
  y: tf.Tensor1D,
  classWeights: tf.Tensor1D,
  varList?: tf.Variable[]
): Promise<[number, number]> {
  let acc: tf.Scalar | null = null;
  const loss = optimizer.minimize(
    () => {
      const probs = predict();
      const numClasses = probs.shape[1];
      const oneHot = tf.oneHot(y, numClasses);
      const perSample = tf.neg(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, 1e-7, 1))), 1));
      acc = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(probs, 1), y), 'float32')) as tf.Scalar);
      return tf.mean(tf.mul(perSample, tf.gather(classWeights, y))) as tf.Scalar;
    },
    true,
    varList
  );
  const accTensor = acc as tf.Scalar | null;
  try {
    const [lossValue, accValue] = await Promise.all([
      loss ? loss.data() : Promise.resolve([NaN]),
      accTensor ? accTensor.data() : Promise.resolve([NaN])
    ]);
    return [lossValue[0], accValue[0]];
  } finally {
    loss?.dispose();
    accTensor?.dispose();
  }
}

/** Unweighted mean cross-entropy and accuracy, in batches. */
export async function evaluateLoss(
  predict: (x: tf.Tensor) => tf.Tensor2D,
  data: LabeledTensor,
  batchSize: number
): Promise<{ loss: number; acc: number }> {
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < data.y.length; start += batchSize) {
    const idx = [...Array(Math.min(batchSize, data.y.length - start)).keys()].map((i) => start + i);
    const sums = tf.tidy(() => {
      const probs = predict(tf.gather(data.x, idx));
      const y = tf.tensor1d(
        idx.map((i) => data.y[i]),
        'int32'
      );
      const picked = tf.sum(tf.mul(tf.oneHot(y, probs.shape[1]), probs), 1);
      return tf.stack([
        tf.sum(tf.neg(tf.log(tf.clipByValue(picked, 1e-7, 1)))),
        tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), y), 'float32'))
      ]);
    });
    const [l, c] = await sums.data();
    sums.dispose();
    loss += l;
    correct += c;
    await yieldToEventLoop();
  }
  return { loss: loss / data.y.length, acc: correct / data.y.length };
}

/** Smaller improvements of validation loss do not count as better (they are noise). */
const MIN_DELTA = 1e-4;

/** Early stopping on validation loss with the best weights kept aside (cloned) and restored. */
class BestWeights {
  private best = Infinity;
  private bestEpoch = 0;
  private wait = 0;
  private saved: tf.Tensor[] | null = null;
  constructor(
    private readonly model: Pick<tf.LayersModel, 'getWeights' | 'setWeights'>,
    private readonly patience: number
  ) {}

  /** Returns true when training should stop. */
  update(stats: EpochStats): boolean {
    if (stats.valLoss === null) {
      this.bestEpoch = stats.epoch;
      return false;
    }
    if (stats.valLoss < this.best - MIN_DELTA) {
      this.best = stats.valLoss;
      this.bestEpoch = stats.epoch;
      this.wait = 0;
      tf.dispose(this.saved ?? []);
      this.saved = this.model.getWeights().map((w) => w.clone());
      return false;
    }
    this.wait++;
    return this.wait >= this.patience;
  }

  finish(history: EpochStats[], cancelled: boolean, stoppedEarly = false): TrainResult {
    if (this.saved) {
      const last = history[history.length - 1];
      if (!last || last.epoch !== this.bestEpoch) this.model.setWeights(this.saved);
      tf.dispose(this.saved);
      this.saved = null;
    }
    return { history, bestEpoch: this.bestEpoch, stoppedEarly, cancelled };
  }

  /** Frees the kept weights when training ended by an error rather than through finish(). */
  discard(): void {
    tf.dispose(this.saved ?? []);
    this.saved = null;
  }
}
