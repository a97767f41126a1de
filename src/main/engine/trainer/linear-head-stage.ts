/**
 * Stage 1 with the default head: the cross-validated logistic regression of linear-head.ts,
 * written into the run's Dense softmax head. Reuses the fit made while choosing the input size
 * when there is one (same photos, same size, same folds).
 */
import { formatC } from '../../../shared/format';
import type { LinearHeadFit } from './linear-head';
import { fitLinearHead, HEAD_CS, linearRows, setHeadWeights } from './linear-head';
import type { TrainingJobIO } from './job-io';
import type { ProgressClock } from './progress-clock';
import type { TrainedState } from './trained-state';
import type { TrainResult } from './train-head';

export interface LinearStageResult extends TrainResult {
  fit: LinearHeadFit;
}

export function linearHeadStage(
  state: TrainedState,
  clock: ProgressClock,
  io: TrainingJobIO,
  ready: LinearHeadFit | null
): LinearStageResult {
  const { config } = state.job;
  let fit = ready;
  if (fit === null) {
    const dim = state.head.inputs[0].shape[1] as number;
    clock.start('training', HEAD_CS.length, { note: 'choosing the L2 strength by 5-fold cross-validation' });
    fit = fitLinearHead(linearRows(state.train, state.features, dim, config.classes.length), {
      seed: config.seed,
      shouldStop: io.shouldStop,
      onProgress: (done, total) => clock.report(done, total)
    });
  }
  const cancelled = fit.cv?.cancelled === true || io.shouldStop();
  if (!cancelled) setHeadWeights(state.head, fit);
  clock.report(1, 1, { force: true, note: headReason(fit) });
  return { history: [], bestEpoch: 0, stoppedEarly: false, cancelled, fit };
}

/** e.g. "logistic regression, C = 0.0100 (5-fold CV 0.931, log-loss 0.201)". */
export function headReason(fit: LinearHeadFit): string {
  if (!fit.cv) return `logistic regression, C = ${fit.c} (too few photos per class to cross-validate: the usual strength)`;
  return `logistic regression, C = ${formatC(fit.c)}: best ${fit.cv.folds}-fold CV accuracy ${fit.cv.cvAccuracy.toFixed(3)} (log-loss ${fit.cv.cvLogLoss.toFixed(3)})`;
}
