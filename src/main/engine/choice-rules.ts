/**
 * What a run will do about each choice it may make for itself, decided before it starts from
 * what the request and the labeled photos already tell: a size the person typed, a head that
 * needs 224 px, photos too small for a larger input, too few photos per class to compare
 * anything. Only what needs measuring (several input sizes, fine-tuning 'auto') is left to the
 * run, which decides it by cross-validation on the training photos within its time budget.
 *
 * Compute-free: 'training:plan' (main side) and the run's job config share these answers, so no
 * rule is computed twice.
 */
import { inputSizeCandidates, medianShortSide, type InputSizePlan } from './input-size';

/** Folds of the head's cross-validation over its L2 strength (and of the input-size comparison). */
export const HEAD_CV_FOLDS = 5;
/** Folds of the check whether fine-tuning pays. */
export const FINE_TUNE_CV_FOLDS = 3;
/**
 * Below this many training photos in some class, a 3-fold check moves in steps of whole photos
 * per fold and cannot tell a real gain from noise, while unfreezing a block on so few photos
 * mostly memorises them: Auto leaves fine-tuning off.
 */
export const FINE_TUNE_MIN_PER_CLASS = 20;

export interface ChoiceRequest {
  backboneId: string;
  head: 'gap' | 'vgg-fc';
  headTraining: 'logistic-cv' | 'adam';
  inputSize?: number;
  fineTune: boolean | 'auto';
  timeBudgetSeconds: number;
}

/** One training photo as the rules see it: its class and its size (px, after EXIF orientation; null when unknown). */
export interface TrainFact {
  classIndex: number;
  width: number | null;
  height: number | null;
}

export interface PlannedChoices {
  inputSize: InputSizePlan;
  /** 'auto': the run decides (cross-validation within the time budget). */
  fineTune: { value: boolean | 'auto'; reason: string };
  head: { value: 'logistic-cv' | 'adam' | 'vgg-fc'; reason: string };
}

/** `classes`: how many classes the run learns (a class may have no training photo). */
export function planChoices(req: ChoiceRequest, train: readonly TrainFact[], classes: number): PlannedChoices {
  const fewest = smallestClass(train, classes);
  return { inputSize: planInputSize(req, train, fewest), fineTune: planFineTune(req, fewest), head: planHead(req) };
}

/** A size the person chose wins; the VGG fc head needs 224; otherwise the candidates the photos allow, if they can be compared. */
function planInputSize(req: ChoiceRequest, train: readonly TrainFact[], fewest: number): InputSizePlan {
  if (req.head === 'vgg-fc') return { candidates: [224], reason: "224 px: VGG's fully connected layers need a 7×7 map" };
  if (req.inputSize !== undefined) return { candidates: [req.inputSize], reason: `${req.inputSize} px: chosen by you` };
  const plan = inputSizeCandidates(req.backboneId, medianShortSide(train));
  if (plan.candidates.length > 1 && fewest < 2) {
    return { candidates: [plan.candidates[0]], reason: `${plan.candidates[0]} px: too few training photos per class to compare sizes` };
  }
  if (plan.candidates.length > 1 && multiScaleFits(req)) {
    const both = `${plan.candidates[0]}+${plan.candidates[plan.candidates.length - 1]}`;
    return { ...plan, multiScale: true, reason: plan.reason.replace(' px (', ` px and ${both} px side by side (`) };
  }
  return plan;
}

/**
 * Multi-scale features (trainer/multi-scale.ts) are for the frozen-feature logistic head only:
 * fine-tuning adapts one base at one size, so a run asked to fine-tune (Always) compares single
 * sizes, and a run that picks multi-scale does not fine-tune.
 */
function multiScaleFits(req: ChoiceRequest): boolean {
  return req.head === 'gap' && req.headTraining === 'logistic-cv' && req.fineTune !== true;
}

function planFineTune(req: ChoiceRequest, fewest: number): PlannedChoices['fineTune'] {
  if (req.fineTune === true) return { value: true, reason: 'on: asked for (Always)' };
  if (req.fineTune === false) return { value: false, reason: 'off: asked for (Never)' };
  if (req.head !== 'gap' || req.headTraining !== 'logistic-cv') {
    return {
      value: false,
      reason: 'off: Auto decides only for the standard classifier (logistic regression); choose Always to refine the network with this one'
    };
  }
  if (fewest < FINE_TUNE_MIN_PER_CLASS) {
    return {
      value: false,
      reason: `off: too few training photos per class to tell whether it pays (fewest ${fewest}, Auto needs ${FINE_TUNE_MIN_PER_CLASS})`
    };
  }
  return {
    value: 'auto',
    reason: `Auto: a ${FINE_TUNE_CV_FOLDS}-fold cross-validation in the run decides whether it pays, if it and the fine-tuning fit the ${minutes(req.timeBudgetSeconds)} time budget`
  };
}

function planHead(req: ChoiceRequest): PlannedChoices['head'] {
  if (req.head === 'vgg-fc')
    return { value: 'vgg-fc', reason: "VGG's fully connected layers (fc6, fc7) and a new output layer, trained with Adam" };
  if (req.headTraining === 'adam')
    return { value: 'adam', reason: 'dropout and a dense layer trained with Adam, stopped early on the validation loss' };
  return {
    value: 'logistic-cv',
    reason: `logistic regression, its L2 strength chosen by ${HEAD_CV_FOLDS}-fold cross-validation on the training photos`
  };
}

/** Training photos of the class with the fewest. */
function smallestClass(train: readonly TrainFact[], classes: number): number {
  const counts = new Array<number>(Math.max(classes, 1)).fill(0);
  for (const t of train) counts[t.classIndex]++;
  return Math.min(...counts);
}

/** "45 s", "10 min". */
export function minutes(seconds: number): string {
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}
