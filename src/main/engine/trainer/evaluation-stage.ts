/** Evaluation on the validation photos, then predictions for the unlabeled ones. */
import { decodeAhead } from '../inference/decode-ahead';
import type { FrozenForward } from '../inference/forward-spec';
import { openFrozenForward } from '../inference/open-forward';
import { buildClassifier, predictFeatures } from './classifier';
import { argmaxRows, evaluate } from './evaluate';
import { stackFeatures } from './feature-rows';
import type { TrainingJobIO } from './job-io';
import type { EvaluationSummary, PredictionOut } from './job-types';
import type { ProgressClock } from './progress-clock';
import type { TrainedState } from './trained-state';

export interface EvaluationStageResult {
  evaluation: EvaluationSummary;
  predictions: PredictionOut[];
  evaluateSeconds: number;
  predictSeconds: number;
}

/** Null when cancelled. */
export async function evaluateAndPredict(
  state: TrainedState,
  clock: ProgressClock,
  io: TrainingJobIO
): Promise<EvaluationStageResult | null> {
  const tuned = await tunedForward(state);
  try {
    return await evaluateAndPredictWith(state, clock, io, tuned);
  } finally {
    await tuned?.dispose();
  }
}

async function evaluateAndPredictWith(
  state: TrainedState,
  clock: ProgressClock,
  io: TrainingJobIO,
  tuned: FrozenForward | null
): Promise<EvaluationStageResult | null> {
  const { config } = state.job;
  const t0 = performance.now();
  clock.start('evaluating', state.val.length);
  const valProbs = await probabilities(state, state.val, io, tuned);
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
    const probs = await probabilities(state, chunk, io, tuned);
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
 * From cached features through the head, or — once the top block was fine-tuned — from photos
 * through the whole classifier as one frozen forward pass (ONNX Runtime, else tfjs); either way
 * the average over the photo and its mirror image (see FeaturePooling).
 */
async function probabilities(
  state: TrainedState,
  items: readonly { hash: string; path: string }[],
  io: TrainingJobIO,
  tuned: FrozenForward | null
): Promise<Float32Array | null> {
  const { config } = state.job;
  if (tuned === null) {
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
  const out: Float32Array[] = [];
  for await (const batch of decodeAhead(items, { inputSize: tuned.spec.inputSize, batchSize: 8 })) {
    if (io.shouldStop()) return null;
    if (batch.failed.length > 0) throw new Error(batch.failed[0].reason);
    out.push(await tuned.run(batch.decoded.map((d) => d.pixels)));
  }
  const flat = new Float32Array(out.reduce((n, o) => n + o.length, 0));
  out.reduce((offset, o) => (flat.set(o, offset), offset + o.length), 0);
  return flat;
}

/** The fine-tuned classifier as a frozen forward pass (flip-averaged probabilities); null before stage 2. */
async function tunedForward(state: TrainedState): Promise<FrozenForward | null> {
  if (!state.fineTuned) return null;
  state.classifier ??= buildClassifier(state.backbone, state.head, state.job.config.head);
  const spec = {
    inputSize: state.backbone.inputSize,
    preprocessing: state.backbone.preprocessing,
    views: 2,
    pool: 'none',
    merge: 'mean'
  } as const;
  return openFrozenForward(state.classifier, spec);
}

function averageViews(views: Float32Array[]): Float32Array {
  if (views.length === 1) return views[0];
  return views[0].map((v, i) => (v + views[1][i]) / 2);
}
