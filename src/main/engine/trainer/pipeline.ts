/**
 * One training job from photos to a saved model: load backbone → features (cache first) →
 * stage-1 head → optional stage-2 fine-tuning → evaluation → predictions → save. Runs in the
 * training process; everything it needs from or gives to the project goes through `io`.
 * Every tensor it makes is disposed before it returns, whatever way it ends.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../../../shared/dto';
import { AppError } from '../../../shared/errors';
import { initBackend, loadBackbone, type Backbone } from '../index';
import { releaseClassifier } from './classifier';
import { buildHead } from './head';
import type { FeatureEntry, LabeledItem, TrainingJob, TrainingJobResult, TrainingProgressData } from './job-types';
import { ProgressClock } from './progress-clock';
import { createRng } from './rng';
import { classWeightsFor } from './split';
import { featureStage, featureShape, stackFeatures } from './stages';
import { fineTuneStage } from './fine-tune-stage';
import { evaluateAndPredict, saveStage, type TrainedState } from './stages-late';
import { trainHead, type LabeledTensor, type TrainResult } from './train-head';

export interface TrainingJobIO {
  onLoaded(info: BackendInfo): void;
  onProgress(progress: TrainingProgressData): void;
  /** New features to persist in the project's cache. */
  onFeatures(extractor: string, entries: FeatureEntry[]): void;
  requestCachedFeatures(extractor: string, hashes: string[]): Promise<FeatureEntry[]>;
  /** True once cancel was asked; polled between batches. */
  shouldStop(): boolean;
}

/** Returns null when cancelled. Throws AppError for a run that cannot proceed. */
export async function runTrainingJob(job: TrainingJob, io: TrainingJobIO): Promise<TrainingJobResult | null> {
  const clock = new ProgressClock(io.onProgress);
  clock.start('loading', 1, { note: `loading ${job.config.backboneId}` });
  const t0 = performance.now();
  const info = await initBackend({ prefer: job.config.backend });
  io.onLoaded(info);
  const backbone = await loadBackbone({ id: job.config.backboneId, weightsPath: job.config.weightsPath, inputSize: job.config.inputSize });
  const loadSeconds = (performance.now() - t0) / 1000;
  try {
    return await trainOnBackbone(job, backbone, io, clock, { info, loadSeconds });
  } catch (err) {
    throw explainAbort(err, job);
  } finally {
    backbone.dispose();
  }
}

/**
 * The WebAssembly backend aborts ("Aborted(). Build with -sASSERTIONS…") when its heap is
 * exhausted; that text tells a person nothing, so it is replaced by what happened and what to try.
 */
export function explainAbort(err: unknown, job: Pick<TrainingJob, 'config'>): unknown {
  if (err instanceof AppError) return err; // already says what happened
  const message = err instanceof Error ? err.message : String(err);
  if (!/^Aborted\(|out of memory|Array buffer allocation failed/i.test(message)) return err;
  const { inputSize, fineTune } = job.config;
  const what = fineTune ? `fine-tuning at ${inputSize} px` : `training at ${inputSize} px`;
  return new AppError(
    'TRAINING_FAILED',
    `The compute backend ran out of memory while ${what}. Try a smaller input size${fineTune ? ' or train without fine-tuning' : ''}; with @tensorflow/tfjs-node installed there is far more memory. The project is unchanged.`
  );
}

/** Runs `work` and measures it, seconds. */
async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await work();
  return [value, (performance.now() - t0) / 1000];
}

interface RunContext {
  info: BackendInfo;
  loadSeconds: number;
}

async function trainOnBackbone(
  job: TrainingJob,
  backbone: Backbone,
  io: TrainingJobIO,
  clock: ProgressClock,
  ctx: RunContext
): Promise<TrainingJobResult | null> {
  const [feats, featuresSeconds] = await timed(() => featureStage(job, backbone, io, clock));
  if (feats.cancelled || io.shouldStop()) return null;
  const usable = job.items.filter((item) => feats.features.has(item.hash));
  const train = usable.filter((i) => i.split === 'train');
  const val = usable.filter((i) => i.split === 'val');
  checkTrainable(
    train.map((i) => i.classIndex),
    job.config.classes
  );
  const shape = featureShape(backbone, job.config.head === 'gap');
  const head = buildHead({ kind: job.config.head, featureShape: shape, numClasses: job.config.classes.length, seed: job.config.seed });
  const trainData = headTrainingData(train, feats.features, shape, job.config.head === 'gap');
  const xVal = stackFeatures(
    val.map((i) => feats.features.get(i.hash) as Float32Array),
    shape
  );
  const rng = createRng(job.config.seed);
  const state: TrainedState = { job, backbone, head, classifier: null, fineTuned: false, rng, train, val, features: feats.features, xVal };
  try {
    const [stage1, trainSeconds] = await timed(() => headStage(state, trainData, clock, io));
    if (stage1.cancelled) return null;
    const [stage2, fineTuneSeconds] = await timed(async () => (job.config.fineTune ? fineTuneStage(state, clock, io) : null));
    if (stage2?.cancelled) return null;
    const late = await evaluateAndPredict(state, clock, io);
    if (late === null) return null;
    const [, saveSeconds] = await timed(() => saveStage(state, clock));
    return {
      backend: ctx.info.backend,
      backendLabel: ctx.info.label,
      backboneId: backbone.id,
      classes: job.config.classes,
      evaluation: late.evaluation,
      history: stage1.history,
      fineTuneHistory: stage2?.history ?? [],
      bestEpoch: stage1.bestEpoch,
      timings: {
        load: ctx.loadSeconds,
        features: featuresSeconds,
        train: trainSeconds,
        fineTune: fineTuneSeconds,
        evaluate: late.evaluateSeconds,
        predict: late.predictSeconds,
        save: saveSeconds,
        total: clock.elapsedSeconds()
      },
      predictions: late.predictions,
      modelDir: job.config.modelDir,
      features: { computed: feats.computed, cached: feats.cached, failed: feats.failed },
      peakRss: process.resourceUsage().maxRSS * 1024,
      inference: feats.inference
    };
  } finally {
    tf.dispose([trainData.x, xVal]);
    if (state.classifier) releaseClassifier(backbone, head);
    head.dispose();
  }
}

/** Training rows; with two views (photo + mirror image) both go in, which doubles the set. */
function headTrainingData(train: LabeledItem[], features: Map<string, Float32Array>, shape: number[], twoViews: boolean): LabeledTensor {
  const rows = train.map((i) => features.get(i.hash) as Float32Array);
  const labels = train.map((i) => i.classIndex);
  if (!twoViews) return { x: stackFeatures(rows, shape), y: labels };
  const x = tf.tidy(() => tf.concat([stackFeatures(rows, shape, 0), stackFeatures(rows, shape, 1)]));
  return { x, y: [...labels, ...labels] };
}

function checkTrainable(labels: number[], classes: string[]): void {
  const present = new Set(labels);
  if (present.size < 2) {
    throw new AppError(
      'INVALID_REQUEST',
      `Training needs labeled training photos in at least two classes; found ${present.size} (${classes.join(', ')}).`
    );
  }
}

async function headStage(state: TrainedState, trainData: LabeledTensor, clock: ProgressClock, io: TrainingJobIO): Promise<TrainResult> {
  const { config } = state.job;
  const trainLabels = trainData.y;
  const batches = Math.ceil(trainLabels.length / config.batchSize);
  clock.start('training', batches * config.epochs, { epoch: 1, epochs: config.epochs });
  return trainHead({
    head: state.head,
    train: trainData,
    val: state.val.length > 0 ? { x: state.xVal, y: state.val.map((i) => i.classIndex) } : null,
    numClasses: config.classes.length,
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    patience: config.patience,
    classWeights: classWeightsFor(trainLabels, config.classes.length),
    rng: state.rng,
    shouldStop: io.shouldStop,
    onBatch: (b) => {
      clock.countItems(b.size);
      clock.report((b.epoch - 1) * batches + b.batch, batches * config.epochs, {
        epoch: b.epoch,
        epochs: config.epochs,
        batchLoss: b.loss,
        batchAcc: b.acc
      });
    },
    onEpoch: (e) => {
      const epochMetrics = { stage: 'head' as const, ...e };
      clock.report(e.epoch * batches, batches * config.epochs, { epoch: e.epoch, epochs: config.epochs, epochMetrics });
    }
  });
}
