/**
 * Whether to fine-tune the top block. Asked for or refused by the person: done. 'auto': only
 * when it pays and fits the time budget. Its cost is estimated from the measured feature rate
 * (a training step is about three forward passes); when the estimate for a 3-fold
 * cross-validation plus the final fine-tune fits the budget, the folds are run: each fits the
 * linear head on two thirds of the training photos (same C), fine-tunes, and scores the held-out
 * third with and without fine-tuning. On when the mean held-out accuracy rises by at least one
 * photo in a hundred.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunChoice } from '../../../shared/dto';
import { stratifiedFolds } from '../linear/folds';
import { fitSoftmax, type Design } from '../linear/softmax-regression';
import { tensorObjective } from '../linear/softmax-tfjs';
import { applyScaler, fitScaler } from '../linear/standardize';
import { buildClassifier, freezeBase, predictImages, releaseClassifier, unfreezeTopBlock } from './classifier';
import { fineTuneTopBlock } from './fine-tune';
import { buildHead } from './head';
import type { LabeledItem } from './job-types';
import { linearRows, setHeadWeights, type LinearHeadFit } from './linear-head';
import type { TrainingJobIO } from './job-io';
import type { ProgressClock } from './progress-clock';
import { createRng } from './rng';
import { classWeightsFor } from './split';
import { fineTuneBatchSize, type TrainedState } from './stages-late';
import { imagesTensor, loadImages } from './stages';
import type { TimeBudget } from './time-budget';

const CV_FOLDS = 3;
/**
 * Below this many training photos in some class, a 3-fold check moves in steps of whole photos
 * per fold and cannot tell a real gain from noise, while unfreezing a block on so few photos
 * mostly memorises them: fine-tuning stays off.
 */
const MIN_PER_CLASS = 20;
/** Smallest mean held-out accuracy gain that counts as paying. */
const MIN_GAIN = 0.01;

/** Null when cancelled. */
export async function decideFineTune(
  state: TrainedState,
  fit: LinearHeadFit | null,
  budget: TimeBudget,
  clock: ProgressClock,
  io: TrainingJobIO
): Promise<RunChoice<boolean> | null> {
  const { config } = state.job;
  if (config.fineTune === true) return { value: true, reason: 'on: asked for (Always)' };
  if (config.fineTune === false) return { value: false, reason: 'off: asked for (Never)' };
  if (fit === null)
    return { value: false, reason: 'off: Auto decides with the cross-validated logistic head; choose Always for this head' };
  const smallest = smallestClass(state.train.map((i) => i.classIndex));
  if (fit.cv === null || smallest < MIN_PER_CLASS) {
    return {
      value: false,
      reason: `off: too few training photos per class to tell whether it pays (fewest ${smallest}, needs ${MIN_PER_CLASS})`
    };
  }
  const final = fineTuneSeconds(state, budget, state.train.length, state.val.length);
  const cv = CV_FOLDS * fineTuneSeconds(state, budget, Math.ceil((state.train.length * (CV_FOLDS - 1)) / CV_FOLDS), 0);
  if (!budget.fits(final + cv)) {
    return {
      value: false,
      reason: `off: checking whether it pays (about ${minutes(cv)}) and then fine-tuning (about ${minutes(final)}) would pass the ${minutes(budget.seconds)} time budget`
    };
  }
  const outcome = await crossValidateFineTune(state, fit, clock, io);
  if (outcome === null) return null;
  const verdict = `CV ${outcome.tuned.toFixed(3)} fine-tuned vs ${outcome.frozen.toFixed(3)} frozen (${CV_FOLDS} folds)`;
  return outcome.tuned - outcome.frozen >= MIN_GAIN
    ? { value: true, reason: `on: ${verdict}` }
    : { value: false, reason: `off: ${verdict}` };
}

/**
 * Cost of one training step per image, in forward passes. About 3 with native TensorFlow; on
 * WebAssembly the depthwise-convolution gradients run on the plain-JS cpu backend, and a measured
 * fine-tune of hymenoptera at 224 px (245 photos × 3 epochs in ~100 s at 80 forward passes/s)
 * came to about 11.
 */
function stepCost(): number {
  return tf.getBackend() === 'tensorflow' ? 3 : 12;
}

/** Estimated seconds to fine-tune on `train` photos (decoding, augmented epochs, validation). */
export function fineTuneSeconds(state: TrainedState, budget: TimeBudget, train: number, val: number): number {
  const forward = budget.forwardSeconds(state.backbone.inputSize);
  return (train + val) * forward * 0.5 + state.job.config.fineTuneEpochs * (train * stepCost() + val) * forward;
}

function smallestClass(labels: number[]): number {
  const counts = new Map<number, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts.size === 0 ? 0 : Math.min(...counts.values());
}

function minutes(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

async function crossValidateFineTune(
  state: TrainedState,
  fit: LinearHeadFit,
  clock: ProgressClock,
  io: TrainingJobIO
): Promise<{ frozen: number; tuned: number } | null> {
  const foldOf = stratifiedFolds(
    state.train.map((i) => i.classIndex),
    CV_FOLDS,
    state.job.config.seed
  );
  const snapshot = topBlockWeights(state);
  clock.start('fine-tuning', CV_FOLDS, { note: `does fine-tuning pay? ${CV_FOLDS}-fold cross-validation` });
  const scores = { frozen: 0, tuned: 0 };
  try {
    for (let f = 0; f < CV_FOLDS; f++) {
      const fold = await fineTuneFold(state, fit, foldOf, f, io);
      restoreTopBlock(state, snapshot);
      if (fold === null) return null;
      scores.frozen += fold.frozen / CV_FOLDS;
      scores.tuned += fold.tuned / CV_FOLDS;
      clock.report(f + 1, CV_FOLDS, { force: true });
    }
    return scores;
  } finally {
    tf.dispose(snapshot.flat());
  }
}

async function fineTuneFold(
  state: TrainedState,
  fit: LinearHeadFit,
  foldOf: Int32Array,
  f: number,
  io: TrainingJobIO
): Promise<{ frozen: number; tuned: number } | null> {
  const { config } = state.job;
  const train = state.train.filter((_, i) => foldOf[i] !== f);
  const held = state.train.filter((_, i) => foldOf[i] === f);
  const head = headFor(state, fit.c, train);
  const frozenClassifier = buildClassifier(state.backbone, head, 'gap');
  try {
    const images = await loadImages(
      state.backbone,
      [...train, ...held].map((i) => i.path),
      () => undefined,
      io.shouldStop
    );
    if (images === null) return null;
    const frozen = accuracy(
      await predictImages(frozenClassifier, state.backbone, images.slice(train.length), config.batchSize),
      held,
      config.classes.length
    );
    const x = imagesTensor(state.backbone, images.slice(0, train.length));
    const labels = train.map((i) => i.classIndex);
    try {
      unfreezeTopBlock(state.backbone);
      const result = await fineTuneTopBlock({
        backbone: state.backbone,
        head,
        classifier: frozenClassifier,
        train: { x, y: labels },
        val: null,
        numClasses: config.classes.length,
        epochs: config.fineTuneEpochs,
        batchSize: fineTuneBatchSize(config.batchSize, state.backbone.inputSize),
        learningRate: config.learningRate / config.fineTuneLrDivisor,
        patience: 2,
        classWeights: classWeightsFor(labels, config.classes.length),
        rng: createRng(config.seed + f),
        pool: true,
        shouldStop: io.shouldStop
      });
      if (result.cancelled) return null;
    } finally {
      freezeBase(state.backbone);
      x.dispose();
    }
    const tuned = accuracy(
      await predictImages(frozenClassifier, state.backbone, images.slice(train.length), config.batchSize),
      held,
      config.classes.length
    );
    return { frozen, tuned };
  } finally {
    releaseClassifier(state.backbone, head);
    head.dispose();
  }
}

/** A Dense softmax head fitted (at the run's C) on these photos' features. */
function headFor(state: TrainedState, c: number, items: LabeledItem[]): tf.Sequential {
  const { config } = state.job;
  const dim = state.head.inputs[0].shape[1] as number;
  const rows = linearRows(items, state.features, dim, config.classes.length);
  const scaler = fitScaler(rows.design);
  const design: Design = applyScaler(scaler, rows.design);
  const source = tensorObjective(design, rows.targets);
  try {
    const { model } = fitSoftmax(source, { k: config.classes.length, d: dim }, c);
    const head = buildHead({ kind: 'gap', featureShape: [dim], numClasses: config.classes.length, seed: config.seed });
    setHeadWeights(head, { scaler, model, c, cv: null });
    return head;
  } finally {
    source.dispose();
  }
}

function accuracy(probs: Float32Array, items: LabeledItem[], k: number): number {
  let correct = 0;
  items.forEach((item, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    if (best === item.classIndex) correct++;
  });
  return items.length === 0 ? 0 : correct / items.length;
}

function topBlockWeights(state: TrainedState): tf.Tensor[][] {
  const names = new Set(state.backbone.topBlockLayers);
  return state.backbone.base.layers.filter((l) => names.has(l.name)).map((l) => l.getWeights().map((w) => w.clone()));
}

function restoreTopBlock(state: TrainedState, snapshot: tf.Tensor[][]): void {
  const names = new Set(state.backbone.topBlockLayers);
  state.backbone.base.layers.filter((l) => names.has(l.name)).forEach((l, i) => l.setWeights(snapshot[i]));
}
