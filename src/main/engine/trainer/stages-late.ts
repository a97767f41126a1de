/** Stage 2, evaluation with predictions, and saving; the later steps of pipeline.ts. */
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../index';
import { buildClassifier, freezeBase, predictFeatures, predictImages, unfreezeTopBlock } from './classifier';
import { argmaxRows, evaluate } from './evaluate';
import { fineTuneTopBlock } from './fine-tune';
import type { Sequential } from '@tensorflow/tfjs';
import type { EvaluationSummary, LabeledItem, PredictionOut, TrainingJob } from './job-types';
import { saveModelFolder } from './model-folder';
import type { TrainingJobIO } from './job-io';
import type { ProgressClock } from './progress-clock';
import type { Rng } from './rng';
import { classWeightsFor } from './split';
import { imagesTensor, loadImages, stackFeatures } from './stages';
import type { TrainResult } from './train-head';

export interface TrainedState {
  job: TrainingJob;
  backbone: Backbone;
  head: Sequential;
  /** Base + head as one model; built for stage 2 or for saving. */
  classifier: tf.LayersModel | null;
  /** True once the base's top block changed: cached features no longer describe the model. */
  fineTuned: boolean;
  rng: Rng;
  train: LabeledItem[];
  val: LabeledItem[];
  features: Map<string, Float32Array>;
  /** Validation features [N, ...shape]. */
  xVal: tf.Tensor;
}

export async function fineTuneStage(state: TrainedState, clock: ProgressClock, io: TrainingJobIO): Promise<TrainResult> {
  const { config } = state.job;
  const all = [...state.train, ...state.val];
  clock.start('fine-tuning', all.length, { note: 'decoding photos for fine-tuning' });
  const images = await loadImages(
    state.backbone,
    all.map((i) => i.path),
    (done) => clock.report(done, all.length),
    io.shouldStop
  );
  if (images === null) return { history: [], bestEpoch: 0, stoppedEarly: false, cancelled: true };
  const xTrain = imagesTensor(state.backbone, images.slice(0, state.train.length));
  const xVal = imagesTensor(state.backbone, images.slice(state.train.length));
  const trainLabels = state.train.map((i) => i.classIndex);
  const batchSize = fineTuneBatchSize(config.batchSize, config.inputSize);
  const batches = Math.ceil(trainLabels.length / batchSize);
  const total = batches * config.fineTuneEpochs;
  try {
    const unfrozen = unfreezeTopBlock(state.backbone);
    state.classifier = buildClassifier(state.backbone, state.head, config.head);
    state.fineTuned = true;
    return await fineTuneTopBlock({
      backbone: state.backbone,
      head: state.head,
      classifier: state.classifier,
      train: { x: xTrain, y: trainLabels },
      val: state.val.length > 0 ? { x: xVal, y: state.val.map((i) => i.classIndex) } : null,
      numClasses: config.classes.length,
      epochs: config.fineTuneEpochs,
      batchSize,
      learningRate: config.learningRate / config.fineTuneLrDivisor,
      patience: 2,
      classWeights: classWeightsFor(trainLabels, config.classes.length),
      rng: state.rng,
      pool: config.head === 'gap',
      shouldStop: io.shouldStop,
      onEstimate: (ms, rate) => {
        const note = `fine-tuning ${unfrozen.length} layers: about ${Math.round(ms / 1000)} s at ${rate.toFixed(1)} images/s`;
        clock.start('fine-tuning', total, { epoch: 1, epochs: config.fineTuneEpochs, note });
      },
      onBatch: (b) => {
        clock.countItems(b.size);
        clock.report((b.epoch - 1) * batches + b.batch, total, {
          epoch: b.epoch,
          epochs: config.fineTuneEpochs,
          batchLoss: b.loss,
          batchAcc: b.acc
        });
      },
      onEpoch: (e) =>
        clock.report(e.epoch * batches, total, {
          epoch: e.epoch,
          epochs: config.fineTuneEpochs,
          epochMetrics: { stage: 'fine-tune', ...e }
        })
    });
  } finally {
    freezeBase(state.backbone);
    tf.dispose([xTrain, xVal]);
  }
}

/**
 * Stage 2 keeps every activation of a batch for the gradient, so its memory grows with
 * batch × side²; the batch shrinks above 224 px to hold that at what 32 photos at 224 px need
 * (at 320 px, 32 photos overflowed the WebAssembly heap).
 */
export function fineTuneBatchSize(batchSize: number, inputSize: number): number {
  return Math.max(4, Math.min(batchSize, Math.floor(batchSize * (224 / inputSize) ** 2)));
}

export interface LateResult {
  evaluation: EvaluationSummary;
  predictions: PredictionOut[];
  evaluateSeconds: number;
  predictSeconds: number;
}

/** Null when cancelled. */
export async function evaluateAndPredict(state: TrainedState, clock: ProgressClock, io: TrainingJobIO): Promise<LateResult | null> {
  const { config } = state.job;
  const t0 = performance.now();
  clock.start('evaluating', state.val.length);
  const valProbs = await probabilities(state, state.val, io);
  if (valProbs === null) return null;
  const full = evaluate(
    valProbs,
    state.val.map((i) => i.classIndex),
    state.val.map((i) => i.photoId),
    config.classes
  );
  const evaluation: EvaluationSummary = { ...full, examples: full.examples.map(({ probs: _probs, ...rest }) => rest) };
  clock.report(state.val.length, state.val.length, { force: true });
  const t1 = performance.now();
  // A photo without features could not be decoded in the feature stage; decoding it again for a
  // fine-tuned model would throw and fail the whole run at its very end.
  const unlabeled = state.job.unlabeled.filter((u) => state.features.has(u.hash));
  clock.start('predicting', unlabeled.length);
  const predictions: PredictionOut[] = [];
  for (let start = 0; start < unlabeled.length; start += 64) {
    const chunk = unlabeled.slice(start, start + 64);
    const probs = await probabilities(state, chunk, io);
    if (probs === null) return null;
    predictions.push(...toPredictions(chunk, probs, config.classes.length));
    clock.countItems(chunk.length);
    clock.report(start + chunk.length, unlabeled.length);
  }
  return { evaluation, predictions, evaluateSeconds: (t1 - t0) / 1000, predictSeconds: (performance.now() - t1) / 1000 };
}

function toPredictions(items: readonly { photoId: number }[], probs: Float32Array, k: number): PredictionOut[] {
  return argmaxRows(probs, k).map((best, i) => ({
    photoId: items[i].photoId,
    classIndex: best.index,
    confidence: best.value,
    probs: Array.from(probs.subarray(i * k, (i + 1) * k))
  }));
}

/**
 * From cached features through the head, or from photos through the fine-tuned classifier;
 * either way the average over the photo and its mirror image (see FeaturePooling).
 */
async function probabilities(
  state: TrainedState,
  items: readonly { hash: string; path: string }[],
  io: TrainingJobIO
): Promise<Float32Array | null> {
  const { config } = state.job;
  if (!state.fineTuned || state.classifier === null) {
    const shape = state.head.inputs[0].shape.slice(1) as number[];
    const rows = items.map((i) => state.features.get(i.hash) as Float32Array);
    const views = config.head === 'gap' ? ([0, 1] as const) : ([0] as const);
    const perView: Float32Array[] = [];
    for (const view of views) {
      const stacked = stackFeatures(rows, shape, view);
      try {
        perView.push(await predictFeatures(state.head, stacked, config.batchSize));
      } finally {
        stacked.dispose();
      }
    }
    return averageViews(perView);
  }
  const images = await loadImages(
    state.backbone,
    items.map((i) => i.path),
    () => undefined,
    io.shouldStop
  );
  if (images === null) return null;
  return predictImages(state.classifier, state.backbone, images, config.batchSize);
}

function averageViews(views: Float32Array[]): Float32Array {
  if (views.length === 1) return views[0];
  return views[0].map((v, i) => (v + views[1][i]) / 2);
}

export async function saveStage(state: TrainedState, clock: ProgressClock): Promise<void> {
  clock.start('saving', 1);
  state.classifier ??= buildClassifier(state.backbone, state.head, state.job.config.head);
  await saveModelFolder(state.classifier, state.job.config.modelDir, {
    labels: state.job.config.classes,
    preprocessing: {
      mode: state.backbone.preprocessing,
      inputSize: state.backbone.inputSize,
      resize: 'shorter-side-center-crop',
      channelOrder: 'RGB',
      backboneId: state.backbone.id
    }
  });
  clock.report(1, 1, { force: true });
}
