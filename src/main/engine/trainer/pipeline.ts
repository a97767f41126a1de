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
import { evaluateAndPredict } from './evaluation-stage';
import { featureShape, stackFeatures } from './feature-rows';
import { featureStage } from './feature-stage';
import { fineTuneStage } from './fine-tune-stage';
import { buildHead } from './head';
import { headStage, headTrainingData } from './head-stage';
import type { TrainingJobIO } from './job-io';
import type { TrainingJob, TrainingJobResult } from './job-types';
import { ProgressClock } from './progress-clock';
import { createRng } from './rng';
import { saveStage } from './save-stage';
import type { TrainedState } from './trained-state';

export type { TrainingJobIO } from './job-io';

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

function checkTrainable(labels: number[], classes: string[]): void {
  const present = new Set(labels);
  if (present.size < 2) {
    throw new AppError(
      'INVALID_REQUEST',
      `Training needs labeled training photos in at least two classes; found ${present.size} (${classes.join(', ')}).`
    );
  }
}
