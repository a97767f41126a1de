/**
 * One training job from photos to a saved model: choose the input size (cross-validation on the
 * training photos when the plan left several) → load backbone → features (cache first) →
 * stage-1 head → fine-tuning when asked for or when its check says it pays → evaluation →
 * predictions → save. Runs in the
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
import { chooseInputSize, type SizeDecision } from './choose-input-size';
import { decideFineTune, type FineTuneDecision } from './fine-tune-check';
import { buildHead } from './head';
import { headStage, headTrainingData } from './head-stage';
import type { TrainingJobIO } from './job-io';
import type { TrainingJob, TrainingJobResult } from './job-types';
import type { LinearHeadFit } from './linear-head';
import { linearHeadStage } from './linear-head-stage';
import { multiScaleFeatureStage, scalesLabel } from './multi-scale';
import { ProgressClock } from './progress-clock';
import { createRng } from './rng';
import { runChoices } from './run-choices';
import { saveStage } from './save-stage';
import { TimeBudget } from './time-budget';
import type { TrainedState } from './trained-state';
import type { TrainResult } from './train-head';

export type { TrainingJobIO } from './job-io';

/**
 * Returns null when cancelled. Throws AppError for a run that cannot proceed. `decided`: an
 * input-size decision made beforehand (tests of what a run does with one), instead of the
 * run's own comparison.
 */
export async function runTrainingJob(job: TrainingJob, io: TrainingJobIO, decided?: SizeDecision): Promise<TrainingJobResult | null> {
  const clock = new ProgressClock(io.onProgress);
  clock.start('loading', 1, { note: `loading ${job.config.backboneId}` });
  const t0 = performance.now();
  const info = await initBackend({ prefer: job.config.backend });
  io.onLoaded(info);
  const budget = new TimeBudget(job.config.timeBudgetSeconds);
  const [size, chooseSeconds] = await timed(async () => decided ?? chooseInputSize(job, io, clock, budget));
  if (size === null) return null;
  job = { ...job, config: { ...job.config, inputSize: size.size } };
  const backbone = await loadBackbone({ id: job.config.backboneId, weightsPath: job.config.weightsPath, inputSize: job.config.inputSize });
  // Loading counts the backend's start and this backbone, not the comparison of sizes in between.
  const loadSeconds = (performance.now() - t0) / 1000 - chooseSeconds;
  try {
    return await trainOnBackbone(job, backbone, io, clock, { info, loadSeconds, chooseSeconds, size, budget });
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
  const what = fineTune === true ? `fine-tuning at ${inputSize} px` : `training at ${inputSize} px`;
  return new AppError(
    'TRAINING_FAILED',
    `The compute backend ran out of memory while ${what}. Try a smaller input size${fineTune !== false ? ' or train without fine-tuning' : ''}; with @tensorflow/tfjs-node installed there is far more memory. The project is unchanged.`
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
  /** Comparing input sizes (features of the training photos at each, and their CV). */
  chooseSeconds: number;
  size: SizeDecision;
  budget: TimeBudget;
}

async function trainOnBackbone(
  job: TrainingJob,
  backbone: Backbone,
  io: TrainingJobIO,
  clock: ProgressClock,
  ctx: RunContext
): Promise<TrainingJobResult | null> {
  const { scales } = ctx.size;
  const [feats, featuresSeconds] = await timed(() =>
    scales.length > 1 ? multiScaleFeatureStage(job, scales, backbone, io, clock) : featureStage(job, backbone, io, clock)
  );
  if (feats.cancelled || io.shouldStop()) return null;
  const usable = job.items.filter((item) => feats.features.has(item.hash));
  const train = usable.filter((i) => i.split === 'train');
  const val = usable.filter((i) => i.split === 'val');
  checkTrainable(
    train.map((i) => i.classIndex),
    job.config.classes
  );
  const shape = featureShape(backbone, job.config.head === 'gap').map((d) => d * scales.length);
  const head = buildHead({ kind: job.config.head, featureShape: shape, numClasses: job.config.classes.length, seed: job.config.seed });
  const trainData = headTrainingData(train, feats.features, shape, job.config.head === 'gap');
  const xVal = stackFeatures(
    val.map((i) => feats.features.get(i.hash) as Float32Array),
    shape
  );
  const rng = createRng(job.config.seed);
  const state: TrainedState = {
    job,
    backbone,
    scales,
    head,
    classifier: null,
    fineTuned: false,
    rng,
    train,
    val,
    features: feats.features,
    xVal
  };
  try {
    const linear = job.config.head === 'gap' && job.config.headTraining === 'logistic-cv';
    const [stage1, trainSeconds] = await timed(async () =>
      linear ? linearHeadStage(state, clock, io, ctx.size.fit) : { ...(await headStage(state, trainData, clock, io)), fit: null }
    );
    if (stage1.cancelled) return null;
    const [stage2, fineTuneSeconds] = await timed(() => fineTuneIfChosen(state, stage1.fit, ctx.budget, clock, io));
    if (stage2 === null || stage2.result?.cancelled) return null;
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
      fineTuneHistory: stage2.result?.history ?? [],
      bestEpoch: stage1.bestEpoch,
      timings: {
        load: ctx.loadSeconds,
        choose: ctx.chooseSeconds,
        features: featuresSeconds,
        train: trainSeconds,
        fineTune: fineTuneSeconds,
        fineTuneCheck: stage2.decision.checkSeconds,
        evaluate: late.evaluateSeconds,
        predict: late.predictSeconds,
        save: saveSeconds,
        total: clock.elapsedSeconds()
      },
      predictions: late.predictions,
      modelDir: job.config.modelDir,
      features: { computed: feats.computed, cached: feats.cached, failed: feats.failed },
      peakRss: process.resourceUsage().maxRSS * 1024,
      inference: feats.inference ?? ctx.size.inference,
      choices: runChoices({ state, size: ctx.size, fit: stage1.fit, fineTune: stage2.decision.choice, accuracy: late.evaluation.accuracy })
    };
  } finally {
    tf.dispose([trainData.x, xVal]);
    if (state.classifier) releaseClassifier(backbone, head, scales.length);
    head.dispose();
  }
}

/**
 * Stage 2 when it was asked for, or when the check (fine-tune-check.ts) says it pays; the check's
 * decoded photos and lower maps are reused by the fine-tune itself. Null when cancelled.
 */
async function fineTuneIfChosen(
  state: TrainedState,
  fit: LinearHeadFit | null,
  budget: TimeBudget,
  clock: ProgressClock,
  io: TrainingJobIO
): Promise<{ decision: FineTuneDecision; result: TrainResult | null } | null> {
  const { config } = state.job;
  const decision =
    state.scales.length > 1
      ? multiScaleFineTuneOff(state.scales, config.fineTune === false ? config.fineTuneReason : null)
      : await decideFineTune(state, fit, budget, clock, io);
  if (decision === null) return null;
  if (!decision.choice.value) return { decision, result: null };
  try {
    return { decision, result: await fineTuneStage(state, clock, io, decision.inputs ?? undefined) };
  } finally {
    await decision.inputs?.dispose();
  }
}

/** Off: why the plan already said so (`planned`), else that multi-scale is for the frozen-feature head only. */
function multiScaleFineTuneOff(scales: readonly number[], planned: string | null): FineTuneDecision {
  const reason =
    planned ??
    `off: ${scalesLabel(scales)} px side by side is for the frozen-feature classifier only (fine-tuning adapts the network at one size)`;
  return { choice: { value: false, reason }, inputs: null, checkSeconds: 0 };
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
