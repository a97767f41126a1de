/**
 * Chooses the input size among the candidates the plan gave (engine/choice-rules.ts) by 5-fold
 * cross-validation of the linear head on the training photos only: features of the training
 * photos at each size (ONNX Runtime, cached like any others), the same folds, the size with the
 * best held-out accuracy wins (ties: the lower held-out log-loss). A larger size is only tried
 * when its estimated time still fits the run's time budget.
 */
import { loadBackbone } from '../load-backbone';
import { enoughForFolds } from '../linear/logistic-cv';
import { extractorKey } from './features';
import type { LabeledItem, TrainingJob } from './job-types';
import { fitLinearHead, linearRows, type LinearHeadFit } from './linear-head';
import type { TrainingJobIO } from './job-io';
import type { ProgressClock } from './progress-clock';
import { featureStage } from './feature-stage';
import type { TimeBudget } from './time-budget';

export interface SizeDecision {
  size: number;
  reason: string;
  /** The linear head fitted at the chosen size, when it was cross-validated here. */
  fit: LinearHeadFit | null;
  /** Runtime that computed features while comparing sizes; null when none were computed. */
  inference: string | null;
}

interface Tried {
  size: number;
  fit: LinearHeadFit;
}

interface Measured {
  fit: LinearHeadFit;
  inference: string | null;
}

/** Null when cancelled. */
export async function chooseInputSize(
  job: TrainingJob,
  io: TrainingJobIO,
  clock: ProgressClock,
  budget: TimeBudget
): Promise<SizeDecision | null> {
  const { candidates, reason } = job.config.inputSizes;
  const train = job.items.filter((i) => i.split === 'train');
  if (candidates.length === 1) return { size: candidates[0], reason, fit: null, inference: null };
  // The plan counted labeled photos; this guards the case where too few of them could be read.
  if (!enoughForFolds(train.map((i) => i.classIndex))) {
    return {
      size: candidates[0],
      reason: `${candidates[0]} px: too few readable training photos per class to compare sizes`,
      fit: null,
      inference: null
    };
  }
  const tried: Tried[] = [];
  const skipped: string[] = [];
  let lastCvSeconds = 0;
  let inference: string | null = null;
  for (const size of candidates) {
    if (tried.length > 0) {
      // Features not yet cached at this size, plus a cross-validation as long as the last one took.
      const estimate = (await estimateSeconds(job, io, budget, size, train.length)) + lastCvSeconds;
      if (!budget.fits(estimate)) {
        skipped.push(notTried(size, estimate, budget));
        continue;
      }
    }
    const started = performance.now();
    const measured = await crossValidateAt(job, io, clock, budget, size, train);
    if (measured === null) return null;
    inference ??= measured.inference;
    tried.push({ size, fit: measured.fit });
    lastCvSeconds = (performance.now() - started) / 1000 - budget.lastFeatureSeconds;
  }
  return { ...decide(tried, skipped), inference };
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
  const fit = fitLinearHead(linearRows(usable, features, dim, job.config.classes.length), {
    seed: job.config.seed,
    shouldStop: io.shouldStop
  });
  return fit.cv?.cancelled ? null : { fit, inference };
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

function notTried(size: number, estimate: number, budget: TimeBudget): string {
  const spent = Math.round(budget.elapsed());
  return spent >= budget.seconds
    ? `${size} px not tried: the ${budget.seconds} s time budget was used up (${spent} s so far)`
    : `${size} px not tried: about ${Math.round(estimate)} s more would pass the ${budget.seconds} s time budget (${spent} s so far)`;
}

function decide(tried: Tried[], skipped: string[]): Omit<SizeDecision, 'inference'> {
  const score = (t: Tried) => t.fit.cv?.cvAccuracy ?? 0;
  const best = tried.reduce((a, b) => {
    if (Math.abs(score(a) - score(b)) > 1e-9) return score(b) > score(a) ? b : a;
    return (b.fit.cv?.cvLogLoss ?? Infinity) < (a.fit.cv?.cvLogLoss ?? Infinity) ? b : a;
  });
  const others = tried.filter((t) => t !== best).map((t) => `${score(t).toFixed(3)} at ${t.size}`);
  const compared = others.length > 0 ? ` vs ${others.join(', ')}` : '';
  const tie = others.length > 0 && tried.every((t) => Math.abs(score(t) - score(best)) <= 1e-9) ? ' (tie: lower CV log-loss)' : '';
  const reason = [`${best.size} px: CV ${score(best).toFixed(3)}${compared}${tie}`, ...skipped].join('; ');
  return { size: best.size, reason, fit: best.fit };
}
