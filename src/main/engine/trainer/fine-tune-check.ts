/**
 * Whether to fine-tune the top block, when the plan left it to the run ('auto'). First the cost,
 * measured on this machine now: the lower part's forward pass (ONNX Runtime) and one training
 * step of the top block (tfjs), each timed on blank inputs. When a 3-fold cross-validation plus
 * the final fine-tune fit the time budget, the folds run on the training photos only: each fits
 * the linear head (at the run's C) on two folds, scores the third through the top block as it
 * is (frozen), fine-tunes the top block exactly as stage 2 would, and scores the third again.
 * On when the mean held-out accuracy rises by at least one photo in a hundred. The decoded
 * photos and the lower maps are kept for stage 2, which then costs no forward pass below the
 * top block.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunChoice } from '../../../shared/dto';
import { FINE_TUNE_CV_FOLDS, minutes } from '../choice-rules';
import { throughputBatchSize } from '../inference/batching';
import { stratifiedFolds } from '../linear/folds';
import { freezeBase, unfreezeTopBlock } from './classifier';
import { fineTuneTopBlock, measureStepSeconds, topBlockProbabilities } from './fine-tune';
import {
  fineTuneBatchSize,
  fineTuneViews,
  openFineTuneModel,
  prepareFineTune,
  type FineTuneInputs,
  type FineTuneModel
} from './fine-tune-stage';
import { buildHead } from './head';
import type { TrainingJobIO } from './job-io';
import type { LabeledItem } from './job-types';
import { fitLinearHeadAt, linearRows, setHeadWeights, type LinearHeadFit } from './linear-head';
import type { ProgressClock } from './progress-clock';
import { createRng } from './rng';
import { classWeightsFor } from './split';
import type { TimeBudget } from './time-budget';
import type { TrainedState } from './trained-state';

/** Smallest mean held-out accuracy gain that counts as paying. */
const MIN_GAIN = 0.01;
/** Seconds to decode one photo for stage 2 (JPEG of a few hundred px to a few Mpx, resized). */
const DECODE_SECONDS = 0.03;

export interface FineTuneDecision {
  choice: RunChoice<boolean>;
  /** Prepared by the check for stage 2 to reuse; the caller disposes them. Null when none were made. */
  inputs: FineTuneInputs | null;
  /** Seconds the check took (measuring, decoding, maps, folds); 0 when there was none. */
  checkSeconds: number;
}

/** Null when cancelled. `fit`: the run's cross-validated linear head (null when it has none). */
export async function decideFineTune(
  state: TrainedState,
  fit: LinearHeadFit | null,
  budget: TimeBudget,
  clock: ProgressClock,
  io: TrainingJobIO
): Promise<FineTuneDecision | null> {
  const { config } = state.job;
  if (config.fineTune !== 'auto')
    return { choice: { value: config.fineTune, reason: config.fineTuneReason }, inputs: null, checkSeconds: 0 };
  if (fit?.cv == null) {
    return { choice: { value: false, reason: 'off: too few usable training photos to cross-validate' }, inputs: null, checkSeconds: 0 };
  }
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  clock.start('fine-tuning', 1, { note: 'does fine-tuning pay? measuring what it costs here' });
  const model = await openFineTuneModel(state);
  const cost = await estimateCost(state, model);
  if (!budget.fits(cost.check + cost.final)) {
    await model.dispose();
    const reason = `off: checking whether it pays (about ${minutes(cost.check)}) and then fine-tuning (about ${minutes(cost.final)}) would pass the ${minutes(budget.seconds)} time budget (${minutes(budget.elapsed())} used)`;
    return { choice: { value: false, reason }, inputs: null, checkSeconds: seconds() };
  }
  const inputs = await prepareFineTune(state, model, clock, io, { plainTrainMaps: true });
  if (inputs === null) return null;
  const outcome = await crossValidate(state, inputs, fit.c, clock, io).catch(async (err: unknown) => {
    await inputs.dispose();
    throw err;
  });
  if (outcome === null) {
    await inputs.dispose();
    return null;
  }
  const verdict = `CV ${outcome.tuned.toFixed(3)} fine-tuned vs ${outcome.frozen.toFixed(3)} frozen (${FINE_TUNE_CV_FOLDS} folds, ${Math.round(seconds())} s)`;
  if (outcome.tuned - outcome.frozen >= MIN_GAIN)
    return { choice: { value: true, reason: `on: ${verdict}` }, inputs, checkSeconds: seconds() };
  await inputs.dispose();
  return { choice: { value: false, reason: `off: ${verdict}` }, inputs: null, checkSeconds: seconds() };
}

interface Cost {
  /** Seconds of the check: decoding, the lower maps, the folds' training and scoring. */
  check: number;
  /** Seconds of the final fine-tune and of predicting through the fine-tuned model afterwards. */
  final: number;
}

/** The check's and the final fine-tune's time from rates measured here and now. */
async function estimateCost(state: TrainedState, model: FineTuneModel): Promise<Cost> {
  const { config } = state.job;
  const n = state.train.length;
  const m = state.val.length;
  const predicted = state.job.unlabeled.length;
  const lower = await measureLowerSeconds(model, state.backbone.inputSize);
  unfreezeTopBlock(state.backbone);
  let step: number;
  try {
    step = await measureStepSeconds(model.split, state.head, fineTuneBatchSize(config.batchSize, config.inputSize), true);
  } finally {
    freezeBase(state.backbone);
  }
  const upper = step / 3; // a forward pass is about a third of a training step
  const epochs = config.fineTuneEpochs;
  const maps = (n * fineTuneViews(state) + m + n) * lower;
  const folds = epochs * n * (FINE_TUNE_CV_FOLDS - 1) * step + 2 * n * upper;
  // After fine-tuning, validation and unlabeled photos go through the whole model (two views each).
  const final = epochs * (n * step + m * upper) + (m + predicted) * 2 * (lower + upper);
  return { check: (n + m) * DECODE_SECONDS + maps + folds, final };
}

/** Seconds per photo of the lower part's forward pass, timed on blank photos after one warm-up pass. */
async function measureLowerSeconds(model: FineTuneModel, size: number): Promise<number> {
  const batch = throughputBatchSize(model.split.lower, 1);
  const blank = new Uint8Array(size * size * 3);
  await model.forward.run([blank]);
  const started = performance.now();
  await model.forward.run(Array.from({ length: batch }, () => blank));
  return (performance.now() - started) / 1000 / batch;
}

async function crossValidate(
  state: TrainedState,
  inputs: FineTuneInputs,
  c: number,
  clock: ProgressClock,
  io: TrainingJobIO
): Promise<{ frozen: number; tuned: number } | null> {
  const labels = state.train.map((i) => i.classIndex);
  const foldOf = stratifiedFolds(labels, FINE_TUNE_CV_FOLDS, state.job.config.seed);
  const snapshot = inputs.split.upper.getWeights().map((w) => w.clone());
  clock.start('fine-tuning', FINE_TUNE_CV_FOLDS, {
    note: `does fine-tuning pay? ${FINE_TUNE_CV_FOLDS}-fold cross-validation on the training photos`
  });
  const scores = { frozen: 0, tuned: 0 };
  try {
    for (let f = 0; f < FINE_TUNE_CV_FOLDS; f++) {
      const fold = await checkFold(state, inputs, c, foldOf, f, io);
      inputs.split.upper.setWeights(snapshot);
      if (fold === null) return null;
      scores.frozen += fold.frozen / FINE_TUNE_CV_FOLDS;
      scores.tuned += fold.tuned / FINE_TUNE_CV_FOLDS;
      clock.report(f + 1, FINE_TUNE_CV_FOLDS, {
        force: true,
        note: `fold ${f + 1}: ${fold.tuned.toFixed(3)} fine-tuned vs ${fold.frozen.toFixed(3)} frozen`
      });
    }
    return scores;
  } finally {
    tf.dispose(snapshot);
  }
}

/** One fold: the head fitted on the other folds, held-out accuracy before and after fine-tuning. */
async function checkFold(
  state: TrainedState,
  inputs: FineTuneInputs,
  c: number,
  foldOf: Int32Array,
  f: number,
  io: TrainingJobIO
): Promise<{ frozen: number; tuned: number } | null> {
  const { config } = state.job;
  const rows = [...state.train.keys()].filter((i) => foldOf[i] !== f);
  const held = [...state.train.keys()].filter((i) => foldOf[i] === f);
  const plainAt = held.map((i) => (inputs.plainIndex as (i: number) => number)(i));
  const heldLabels = held.map((i) => state.train[i].classIndex);
  const head = headFor(
    state,
    c,
    rows.map((i) => state.train[i])
  );
  const batchSize = fineTuneBatchSize(config.batchSize, config.inputSize);
  const score = async () =>
    accuracy(
      await topBlockProbabilities(inputs.split, head, inputs.maps, plainAt, { batchSize, pool: true }),
      heldLabels,
      config.classes.length
    );
  try {
    const frozen = await score();
    const trainLabels = rows.map((i) => state.train[i].classIndex);
    unfreezeTopBlock(state.backbone);
    try {
      const result = await fineTuneTopBlock({
        split: inputs.split,
        maps: inputs.maps,
        head,
        trainLabels,
        trainIndex: rows,
        valLabels: [],
        numClasses: config.classes.length,
        epochs: config.fineTuneEpochs,
        batchSize,
        learningRate: config.learningRate / config.fineTuneLrDivisor,
        patience: 2,
        classWeights: classWeightsFor(trainLabels, config.classes.length),
        rng: createRng(config.seed + 1 + f),
        pool: true,
        shouldStop: io.shouldStop
      });
      if (result.cancelled) return null;
    } finally {
      freezeBase(state.backbone);
    }
    return { frozen, tuned: await score() };
  } finally {
    head.dispose();
  }
}

/** A Dense softmax head fitted (at the run's C) on these photos' features. */
function headFor(state: TrainedState, c: number, items: LabeledItem[]): tf.Sequential {
  const { config } = state.job;
  const dim = state.head.inputs[0].shape[1] as number;
  const fit = fitLinearHeadAt(linearRows(items, state.features, dim, config.classes.length), c);
  const head = buildHead({ kind: 'gap', featureShape: [dim], numClasses: config.classes.length, seed: config.seed });
  setHeadWeights(head, fit);
  return head;
}

function accuracy(probs: Float32Array, labels: readonly number[], k: number): number {
  let correct = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    if (best === label) correct++;
  });
  return labels.length === 0 ? 0 : correct / labels.length;
}
