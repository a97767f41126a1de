/**
 * Chooses the input size among the candidates the plan gave (engine/choice-rules.ts) by 5-fold
 * cross-validation of the linear head on the training photos only: features of the training
 * photos at each size (ONNX Runtime, cached like any others), the same folds, the size with the
 * best held-out accuracy wins (ties: the lower held-out log-loss). A larger size is only tried
 * when its estimated time still fits the run's time budget. Where the plan allows multi-scale
 * (multi-scale.ts), the smallest and largest sizes' features side by side are one more candidate,
 * cross-validated on the same folds once both sizes were; it costs no forward pass, and it wins
 * only with a strictly higher CV accuracy than every single size (a tie keeps one size, which
 * predicts at half the cost).
 */
import { loadBackbone } from '../load-backbone';
import { enoughForFolds } from '../linear/logistic-cv';
import { extractorKey } from './features';
import type { LabeledItem, TrainingJob } from './job-types';
import { fitLinearHead, linearRows, type LinearHeadFit } from './linear-head';
import type { TrainingJobIO } from './job-io';
import type { ProgressClock } from './progress-clock';
import { featureStage } from './feature-stage';
import { multiScaleFeatures, scalesLabel } from './multi-scale';
import type { TimeBudget } from './time-budget';

export interface SizeDecision {
  /** The classifier's input side, px: the largest of `scales`. */
  size: number;
  /** Px, ascending: the sizes whose features the head sees side by side; one entry: a single size. */
  scales: number[];
  reason: string;
  /** The linear head fitted at the chosen size, when it was cross-validated here. */
  fit: LinearHeadFit | null;
  /** Runtime that computed features while comparing sizes; null when none were computed. */
  inference: string | null;
}

export interface Tried {
  scales: number[];
  fit: LinearHeadFit;
}

interface Measured {
  fit: LinearHeadFit;
  inference: string | null;
  /** The training photos' features at this size, for the multi-scale candidate. */
  features: Map<string, Float32Array>;
  /** Seconds the cross-validation alone took. */
  cvSeconds: number;
}

/** Null when cancelled. */
export async function chooseInputSize(
  job: TrainingJob,
  io: TrainingJobIO,
  clock: ProgressClock,
  budget: TimeBudget
): Promise<SizeDecision | null> {
  const { candidates, reason, multiScale } = job.config.inputSizes;
  const train = job.items.filter((i) => i.split === 'train');
  const single = (size: number, why: string): SizeDecision => ({ size, scales: [size], reason: why, fit: null, inference: null });
  if (candidates.length === 1) return single(candidates[0], reason);
  // The plan counted labeled photos; this guards the case where too few of them could be read.
  if (!enoughForFolds(train.map((i) => i.classIndex))) {
    return single(candidates[0], `${candidates[0]} px: too few readable training photos per class to compare sizes`);
  }
  const tried: Tried[] = [];
  const skipped: string[] = [];
  const measured = new Map<number, Measured>();
  let lastCvSeconds = 0;
  let inference: string | null = null;
  for (const size of candidates) {
    if (tried.length > 0) {
      // Features not yet cached at this size, plus a cross-validation as long as the last one took.
      const estimate = (await estimateSeconds(job, io, budget, size, train.length)) + lastCvSeconds;
      if (!budget.fits(estimate)) {
        skipped.push(notTried(`${size} px`, estimate, budget));
        continue;
      }
    }
    const m = await crossValidateAt(job, io, clock, budget, size, train);
    if (m === null) return null;
    inference ??= m.inference;
    tried.push({ scales: [size], fit: m.fit });
    measured.set(size, m);
    lastCvSeconds = m.cvSeconds;
  }
  if (multiScale === true) {
    const multi = crossValidateMultiScale(job, io, clock, budget, [candidates[0], candidates[candidates.length - 1]], measured, train);
    if (multi === null) return null;
    if (typeof multi === 'string') skipped.push(multi);
    else tried.push(multi);
  }
  return { ...decide(tried, skipped), inference };
}

/**
 * The multi-scale candidate: the CV of the head on both sizes' features side by side (already
 * in memory), when both sizes were measured and a CV as long as theirs together fits the
 * budget. A string says why it was not tried; null when cancelled.
 */
function crossValidateMultiScale(
  job: TrainingJob,
  io: TrainingJobIO,
  clock: ProgressClock,
  budget: TimeBudget,
  scales: number[],
  measured: ReadonlyMap<number, Measured>,
  train: LabeledItem[]
): Tried | string | null {
  const parts = scales.map((s) => measured.get(s));
  if (parts.some((p) => p === undefined)) return `${scalesLabel(scales)} px not tried: not every size was`;
  const estimate = parts.reduce((sum, p) => sum + (p as Measured).cvSeconds, 0);
  if (!budget.fits(estimate)) return notTried(`${scalesLabel(scales)} px`, estimate, budget);
  const features = multiScaleFeatures(parts.map((p) => (p as Measured).features));
  const usable = train.filter((i) => features.has(i.hash));
  const dim = (features.get(usable[0].hash) as Float32Array).length / 2;
  clock.start('training', 1, { note: `comparing input sizes: cross-validating ${scalesLabel(scales)} px side by side` });
  const fit = fitLinearHead(linearRows(usable, features, dim, job.config.classes.length), {
    seed: job.config.seed,
    shouldStop: io.shouldStop
  });
  return fit.cv?.cancelled ? null : { scales, fit };
}

/** Features of the training photos at `size` (from the cache where it has them), then the head's CV. */
async function crossValidateAt(
  job: TrainingJob,
  io: TrainingJobIO,
  clock: ProgressClock,
  budget: TimeBudget,
  size: number,
  train: LabeledItem[]
): Promise<Measured | null> {
  const backbone = await loadBackbone({ id: job.config.backboneId, weightsPath: job.config.weightsPath, inputSize: size });
  let features: Map<string, Float32Array>;
  let inference: string | null;
  try {
    const started = performance.now();
    const result = await featureStage({ ...job, items: train, unlabeled: [] }, backbone, io, clock);
    if (result.cancelled || io.shouldStop()) return null;
    budget.recordFeatures(size, result.computed, (performance.now() - started) / 1000);
    budget.rememberKey(backbone);
    features = result.features;
    inference = result.inference;
  } finally {
    backbone.dispose();
  }
  const usable = train.filter((i) => features.has(i.hash));
  const dim = (features.get(usable[0].hash) as Float32Array).length / 2;
  clock.start('training', 1, { note: `comparing input sizes: cross-validating at ${size} px` });
  const started = performance.now();
  const fit = fitLinearHead(linearRows(usable, features, dim, job.config.classes.length), {
    seed: job.config.seed,
    shouldStop: io.shouldStop
  });
  return fit.cv?.cancelled ? null : { fit, inference, features, cvSeconds: (performance.now() - started) / 1000 };
}

/** Seconds to compute the features not yet cached at `size`, from the rate measured so far. */
async function estimateSeconds(job: TrainingJob, io: TrainingJobIO, budget: TimeBudget, size: number, count: number): Promise<number> {
  const key = budget.extractorAt(size, (parts) => extractorKey(parts, 'avg-flip'));
  const cached =
    key === null
      ? 0
      : (
          await io.requestCachedFeatures(
            key,
            job.items.filter((i) => i.split === 'train').map((i) => i.hash)
          )
        ).length;
  return budget.featureSeconds(size, count - cached);
}

function notTried(what: string, estimate: number, budget: TimeBudget): string {
  const spent = Math.round(budget.elapsed());
  return spent >= budget.seconds
    ? `${what} not tried: the ${budget.seconds} s time budget was used up (${spent} s so far)`
    : `${what} not tried: about ${Math.round(estimate)} s more would pass the ${budget.seconds} s time budget (${spent} s so far)`;
}

/** The winner among the measured candidates, and the reason that names every CV figure. Exported for its tests. */
export function decide(tried: Tried[], skipped: string[]): Omit<SizeDecision, 'inference'> {
  const score = (t: Tried) => t.fit.cv?.cvAccuracy ?? 0;
  const singles = tried.filter((t) => t.scales.length === 1);
  let best = singles.reduce((a, b) => {
    if (Math.abs(score(a) - score(b)) > 1e-9) return score(b) > score(a) ? b : a;
    return (b.fit.cv?.cvLogLoss ?? Infinity) < (a.fit.cv?.cvLogLoss ?? Infinity) ? b : a;
  });
  const tie = singles.length > 1 && singles.every((t) => Math.abs(score(t) - score(best)) <= 1e-9) ? ' (tie: lower CV log-loss)' : '';
  const multi = tried.find((t) => t.scales.length > 1);
  if (multi && score(multi) > score(best) + 1e-9) best = multi;
  const label = (t: Tried) => scalesLabel(t.scales);
  const others = tried.filter((t) => t !== best).map((t) => `${score(t).toFixed(3)} at ${label(t)}`);
  const compared = others.length > 0 ? ` vs ${others.join(', ')}` : '';
  const reason = [`${label(best)} px: CV ${score(best).toFixed(3)}${compared}${best === multi ? '' : tie}`, ...skipped].join('; ');
  return { size: best.scales[best.scales.length - 1], scales: best.scales, reason, fit: best.fit };
}
