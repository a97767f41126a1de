/** The choices a run reports (RunChoices), and how much its validation accuracy can be trusted. */
import type { RunChoice, RunChoices } from '../../../shared/dto';
import type { SizeDecision } from './choose-input-size';
import type { LabeledItem } from './job-types';
import type { LinearHeadFit } from './linear-head';
import { headReason } from './linear-head-stage';
import type { TrainedState } from './trained-state';

/** Fewer validation photos than this, or fewer than MIN_PER_CLASS in a class, make a weak estimate. */
const MIN_PHOTOS = 30;
const MIN_PER_CLASS = 5;

export interface ChoicesMade {
  state: Pick<TrainedState, 'job' | 'train' | 'val'>;
  size: SizeDecision;
  /** The run's cross-validated linear head; null with another head. */
  fit: LinearHeadFit | null;
  fineTune: RunChoice<boolean>;
  /** Validation accuracy, 0–1; null without validation photos. */
  accuracy: number | null;
}

/** What a run reports it decided: input size, head (with its CV curve), fine-tuning, and how far validation can be trusted. */
export function runChoices(made: ChoicesMade): RunChoices {
  const { config } = made.state.job;
  const cv = made.fit?.cv ?? null;
  const head = made.fit
    ? { value: 'logistic-cv', reason: headReason(made.fit) }
    : { value: config.head === 'gap' ? 'adam' : 'vgg-fc', reason: 'asked for' };
  return {
    inputSize: { value: config.inputSize, reason: made.size.reason },
    ...(made.size.scales.length > 1 ? { scales: made.size.scales } : {}),
    fineTune: made.fineTune,
    head,
    headCv: cv ? cv.scores.map((s) => ({ c: s.c, accuracy: s.accuracy, logLoss: s.logLoss, chosen: s.c === cv.c })) : [],
    cvAccuracy: cv?.cvAccuracy ?? null,
    validation: validationQuality(made.state.val, made.state.train.length, config.classes.length, made.accuracy, cv?.cvAccuracy ?? null)
  };
}

export function validationQuality(
  val: readonly LabeledItem[],
  trainCount: number,
  numClasses: number,
  accuracy: number | null,
  cvAccuracy: number | null
): RunChoices['validation'] {
  const perClass = new Array<number>(numClasses).fill(0);
  for (const item of val) perClass[item.classIndex]++;
  const thin = perClass.filter((n) => n < MIN_PER_CLASS).length;
  const weak = val.length < MIN_PHOTOS || thin > 0;
  if (!weak) return { photos: val.length, weak, note: null };
  const cv = cvAccuracy === null ? '' : ` Cross-validation on the ${trainCount} training photos estimates ${percent(cvAccuracy)}.`;
  if (val.length === 0) return { photos: 0, weak, note: `No validation photos, so no validation accuracy.${cv}` };
  const p = accuracy ?? 0.5;
  const margin = Math.round(196 * Math.sqrt(Math.max(p * (1 - p), 1 / (4 * val.length)) / val.length));
  const few = thin > 0 ? ` (${thin} ${thin === 1 ? 'class has' : 'classes have'} fewer than ${MIN_PER_CLASS})` : '';
  return {
    photos: val.length,
    weak,
    note: `A weak estimate: only ${val.length} validation photos${few}, ±${margin} points.${cv} Label more photos for a firmer figure.`
  };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}
