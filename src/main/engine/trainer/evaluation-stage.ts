/** Evaluation on the validation photos, then predictions for the unlabeled ones. */
import { predictFeatures, predictImages } from './classifier';
import { argmaxRows, evaluate } from './evaluate';
import { stackFeatures } from './feature-rows';
import type { TrainingJobIO } from './job-io';
import type { EvaluationSummary, PredictionOut } from './job-types';
import { loadImages } from './photo-batches';
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
