/**
 * Logistic regression with its L2 strength chosen by stratified k-fold cross-validation, then
 * refitted on all rows with the best C: scikit-learn's LogisticRegressionCV (multinomial,
 * lbfgs, Cs on a log scale, accuracy scoring, each fold's path warm-started from the previous
 * C, the refit warm-started from the folds' mean at the best C).
 *
 * Rows belong to groups (a photo and its mirror image): folds split groups, and a held-out
 * group is scored on the mean of its rows' probabilities, as the app predicts.
 */
import { foldCount, stratifiedFolds } from './folds';
import {
  fitSoftmax,
  jsObjective,
  predictSoftmax,
  type Design,
  type ObjectiveFactory,
  type ObjectiveSource,
  type SoftmaxModel,
  type Targets
} from './softmax-regression';

export interface CvData {
  design: Design;
  targets: Targets;
  /** Group of each row, 0..groups−1; rows of a group share a class. */
  group: Int32Array;
  groups: number;
}

export interface LogisticCvOptions {
  /** Inverse L2 strengths, ascending (default: scikit-learn's Cs=10, 1e-4…1e4). */
  cs?: number[];
  /** Wanted folds (default 5); fewer when the smallest class has fewer groups. */
  folds?: number;
  /** Shuffles each class's groups before dealing them to folds; without it, scikit-learn's order. */
  seed?: number;
  objective?: ObjectiveFactory;
  maxIterations?: number;
  tolerance?: number;
  /**
   * Stop climbing the C path once the mean held-out log-loss has risen twice in a row while
   * accuracy is below its best: larger C only fits the training folds harder, and costs the
   * most iterations. Off reproduces scikit-learn's full grid.
   */
  prunePath?: boolean;
  /**
   * 'accuracy': the first C with the best mean held-out accuracy (scikit-learn's default scoring).
   * 'accuracy-then-log-loss': among the Cs with the best accuracy, the lowest held-out log-loss;
   * accuracy over a few hundred photos moves in steps of a photo and often ties across the grid,
   * where the first (strongest) C is rarely the best.
   */
  select?: 'accuracy' | 'accuracy-then-log-loss';
  shouldStop?(): boolean;
  onProgress?(done: number, total: number): void;
}

export interface CvScore {
  c: number;
  /** Mean over folds of the held-out accuracy, 0–1. */
  accuracy: number;
  /** Mean over folds of the held-out log-loss, nats per group. */
  logLoss: number;
  /** Held-out accuracy of each fold. */
  foldAccuracy: number[];
}

export interface LogisticCvResult {
  /** Best C, and the scores of every C evaluated (ascending). */
  c: number;
  scores: CvScore[];
  folds: number;
  model: SoftmaxModel;
  /** Held-out accuracy and log-loss at the best C. */
  cvAccuracy: number;
  cvLogLoss: number;
  cancelled: boolean;
}

export const SKLEARN_CS = logSpace(-4, 4, 10);

export function logSpace(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => 10 ** (from + ((to - from) * i) / (count - 1)));
}

/** Needs at least two groups in each of at least two classes (see canCrossValidate). */
export function logisticRegressionCv(data: CvData, opts: LogisticCvOptions = {}): LogisticCvResult {
  const objective = opts.objective ?? jsObjective;
  const { k, foldOf } = foldsOf(data, opts);
  const fitters = Array.from({ length: k }, (_, f) => foldFitter(data, foldOf, f, objective, opts));
  const climb = new PathClimb(opts);
  try {
    for (const c of climb.cs)
      if (
        !climb.add(
          c,
          fitters.map((fitter) => fitter.step(c))
        )
      )
        break;
  } finally {
    for (const fitter of fitters) fitter.dispose();
  }
  return refit(data, climb.path, k, opts);
}

/** The folds' count and each group's fold, as logisticRegressionCv deals them. */
function foldsOf(data: CvData, opts: Pick<LogisticCvOptions, 'folds' | 'seed'>): { k: number; foldOf: Int32Array } {
  const groupClass = classOfGroups(data);
  const k = foldCount(groupClass, opts.folds ?? 5);
  return { k, foldOf: stratifiedFolds(groupClass, k, opts.seed) };
}

/** The best C's model, refitted on every row from the folds' mean (the path's own when cancelled). */
function refit(data: CvData, path: CvPath, k: number, opts: LogisticCvOptions): LogisticCvResult {
  const best = bestIndex(path.scores, opts.select ?? 'accuracy');
  const start = meanModel(path.models[best]);
  const c = path.scores[best].c;
  const source = (opts.objective ?? jsObjective)(data.design, data.targets);
  try {
    const model = path.cancelled ? start : fitSoftmax(source, shapeOf(data), c, { ...fitOptions(opts), start }).model;
    const { accuracy, logLoss } = path.scores[best];
    return { c, scores: path.scores, folds: k, model, cvAccuracy: accuracy, cvLogLoss: logLoss, cancelled: path.cancelled };
  } finally {
    source.dispose();
  }
}

/** One fold's fit at a C and its held-out score. */
interface FoldStep {
  model: SoftmaxModel;
  score: { accuracy: number; logLoss: number };
}

/** One fold along the C path, each fit warm-started from the one before. */
interface FoldFitter {
  step(c: number): FoldStep;
  dispose(): void;
}

function foldFitter(
  data: CvData,
  foldOf: Int32Array,
  f: number,
  objective: ObjectiveFactory,
  opts: Pick<LogisticCvOptions, 'maxIterations' | 'tolerance'>
): FoldFitter {
  const fold = foldSplit(data, foldOf, f, objective);
  let current: SoftmaxModel | undefined;
  return {
    step(c) {
      current = fitSoftmax(fold.source, shapeOf(data), c, { ...fitOptions(opts), start: current }).model;
      return { model: current, score: scoreGroups(current, fold.heldOut) };
    },
    dispose: () => fold.source.dispose()
  };
}

interface Fold {
  source: ObjectiveSource;
  heldOut: CvData;
}

interface CvPath {
  scores: CvScore[];
  /** Each fold's model at each C evaluated. */
  models: SoftmaxModel[][];
  cancelled: boolean;
}

/** C-major: every fold is scored at a C before deciding whether to go on to the next. */
class PathClimb {
  readonly cs: number[];
  readonly path: CvPath = { scores: [], models: [], cancelled: false };

  constructor(private readonly opts: LogisticCvOptions) {
    this.cs = opts.cs ?? SKLEARN_CS;
  }

  /** Records the folds' steps at `c`; false when the path stops here (cancelled or past the best). */
  add(c: number, steps: FoldStep[]): boolean {
    this.path.models.push(steps.map((s) => s.model));
    this.path.scores.push(
      summarise(
        c,
        steps.map((s) => s.score)
      )
    );
    this.opts.onProgress?.(this.path.scores.length, this.cs.length);
    if (this.opts.shouldStop?.()) {
      this.path.cancelled = true;
      return false;
    }
    return !(this.opts.prunePath && pastTheBest(this.path.scores));
  }
}

function foldSplit(all: CvData, foldOf: Int32Array, f: number, objective: ObjectiveFactory): Fold {
  const trainRows: number[] = [];
  const testRows: number[] = [];
  for (let i = 0; i < all.design.n; i++) (foldOf[all.group[i]] === f ? testRows : trainRows).push(i);
  const train = subset(all, trainRows);
  return { source: objective(train.design, train.targets), heldOut: subset(all, testRows) };
}

function fitOptions(opts: Pick<LogisticCvOptions, 'maxIterations' | 'tolerance'>) {
  return { maxIterations: opts.maxIterations ?? 100, gradientTolerance: opts.tolerance ?? 1e-4 };
}

function shapeOf(data: CvData): { k: number; d: number } {
  return { k: data.targets.k, d: data.design.d };
}

/** True when a CV can run: two classes or more, each with at least two groups. */
export function canCrossValidate(data: CvData): boolean {
  return enoughForFolds(classOfGroups(data));
}

/** True when labels (one per group) hold two classes or more with at least two members each. */
export function enoughForFolds(labels: ArrayLike<number>): boolean {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  return counts.size >= 2 && Math.min(...counts.values()) >= 2;
}

function classOfGroups(data: CvData): Int32Array {
  const out = new Int32Array(data.groups).fill(-1);
  for (let i = 0; i < data.design.n; i++) out[data.group[i]] = data.targets.y[i];
  return out;
}

/** The given rows as their own CvData (groups renumbered in order of appearance). */
export function subset(data: CvData, rows: readonly number[]): CvData {
  const { d } = data.design;
  const x = new Float64Array(rows.length * d);
  const y = new Int32Array(rows.length);
  const weight = data.targets.weight ? new Float64Array(rows.length) : undefined;
  const group = new Int32Array(rows.length);
  const renumber = new Map<number, number>();
  rows.forEach((r, i) => {
    x.set(data.design.x.subarray(r * d, (r + 1) * d), i * d);
    y[i] = data.targets.y[r];
    if (weight && data.targets.weight) weight[i] = data.targets.weight[r];
    if (!renumber.has(data.group[r])) renumber.set(data.group[r], renumber.size);
    group[i] = renumber.get(data.group[r]) as number;
  });
  return { design: { x, n: rows.length, d }, targets: { y, k: data.targets.k, weight }, group, groups: renumber.size };
}

/** Accuracy and mean log-loss over groups, each group scored on its rows' mean probabilities. */
export function scoreGroups(model: SoftmaxModel, data: CvData): { accuracy: number; logLoss: number } {
  const { k } = model;
  const probs = predictSoftmax(model, data.design);
  const sums = new Float64Array(data.groups * k);
  const rows = new Int32Array(data.groups);
  const label = new Int32Array(data.groups);
  for (let i = 0; i < data.design.n; i++) {
    const g = data.group[i];
    rows[g]++;
    label[g] = data.targets.y[i];
    for (let c = 0; c < k; c++) sums[g * k + c] += probs[i * k + c];
  }
  let correct = 0;
  let loss = 0;
  for (let g = 0; g < data.groups; g++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (sums[g * k + c] > sums[g * k + best]) best = c;
    if (best === label[g]) correct++;
    loss -= Math.log(Math.max(sums[g * k + label[g]] / rows[g], 1e-15));
  }
  return { accuracy: correct / data.groups, logLoss: loss / data.groups };
}

function summarise(c: number, folds: { accuracy: number; logLoss: number }[]): CvScore {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return {
    c,
    accuracy: mean(folds.map((f) => f.accuracy)),
    logLoss: mean(folds.map((f) => f.logLoss)),
    foldAccuracy: folds.map((f) => f.accuracy)
  };
}

function pastTheBest(scores: CvScore[]): boolean {
  if (scores.length < 3) return false;
  const [a, b, c] = scores.slice(-3);
  const bestAccuracy = Math.max(...scores.map((s) => s.accuracy));
  return b.logLoss > a.logLoss && c.logLoss > b.logLoss && c.accuracy < bestAccuracy;
}

function bestIndex(scores: CvScore[], select: 'accuracy' | 'accuracy-then-log-loss'): number {
  const top = Math.max(...scores.map((s) => s.accuracy));
  const tied = scores.map((s, i) => [s, i] as const).filter(([s]) => s.accuracy >= top - 1e-12);
  if (select === 'accuracy') return tied[0][1];
  return tied.reduce((best, cur) => (cur[0].logLoss < best[0].logLoss ? cur : best))[1];
}

function meanModel(models: SoftmaxModel[]): SoftmaxModel {
  const { k, d } = models[0];
  const coef = new Float64Array(k * d);
  const intercept = new Float64Array(k);
  for (const m of models) {
    for (let i = 0; i < coef.length; i++) coef[i] += m.coef[i] / models.length;
    for (let i = 0; i < k; i++) intercept[i] += m.intercept[i] / models.length;
  }
  return { k, d, coef, intercept };
}
