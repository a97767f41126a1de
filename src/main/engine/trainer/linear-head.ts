/**
 * The default head: multinomial logistic regression on standardised pooled features, its L2
 * strength chosen by 5-fold cross-validation on the training photos (best held-out accuracy,
 * ties broken by the lower held-out log-loss),
 * refitted on all of them; full batch and deterministic, no validation photo involved. A photo
 * and its mirror image are two rows of one group (folds never split them; held-out photos are
 * scored on the mean of both, as the app predicts). The fit is then written into the head's
 * Dense softmax layer, standardisation folded in, so the saved model needs nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import { canCrossValidate, logisticRegressionCv, logSpace, type CvData, type LogisticCvResult } from '../linear/logistic-cv';
import { fitSoftmax, type ObjectiveFactory, type SoftmaxModel } from '../linear/softmax-regression';
import { tensorObjective } from '../linear/softmax-tfjs';
import { wasmObjective } from '../linear/softmax-wasm';
import { applyScaler, fitScaler, type Scaler } from '../linear/standardize';
import type { LabeledItem } from './job-types';

/**
 * Inverse L2 strengths tried, weakest penalty last: 1e-4…1e2 in 13 steps (half-decades). On
 * standardised 512–1280-dimensional features the best C has sat at 1e-3…1e-1; weaker penalties
 * only fit the training folds harder, and the path stops once held-out log-loss keeps rising.
 */
export const HEAD_CS = logSpace(-4, 2, 13);

/** Used when there are too few photos per class to cross-validate: the middle of where C lands. */
export const FALLBACK_C = 1e-2;

/**
 * Below this many multiply-adds per objective evaluation (rows × features × classes), the float64
 * WebAssembly kernels beat TensorFlow.js, whose per-op overhead then dominates; above it the
 * float32 products (half the memory traffic) win. Measured on x64, ms per evaluation, WebAssembly
 * vs TensorFlow.js (XNNPACK): 376×512×2 0.26 vs 0.56, 1000×1024×5 3.2 vs 4.3, 4000×1280×2
 * 11.3 vs 7.9, 4000×1280×10 35 vs 18.
 */
const TENSOR_WORK = 7e6;

function objectiveFor(rows: CvData): ObjectiveFactory {
  return rows.design.n * rows.design.d * rows.targets.k < TENSOR_WORK ? wasmObjective : tensorObjective;
}

export interface LinearHeadFit {
  scaler: Scaler;
  model: SoftmaxModel;
  c: number;
  /** Null when the photos were too few to cross-validate. */
  cv: LogisticCvResult | null;
}

/** One row per view of each photo's features ([view0 | view1] or a single view), grouped by photo. */
export function linearRows(items: readonly LabeledItem[], features: Map<string, Float32Array>, dim: number, numClasses: number): CvData {
  const first = features.get(items[0]?.hash ?? '');
  const views = first && first.length >= 2 * dim ? 2 : 1;
  const n = items.length * views;
  const x = new Float64Array(n * dim);
  const y = new Int32Array(n);
  const group = new Int32Array(n);
  items.forEach((item, i) => {
    const row = features.get(item.hash) as Float32Array;
    for (let v = 0; v < views; v++) {
      const r = i * views + v;
      for (let j = 0; j < dim; j++) x[r * dim + j] = row[v * dim + j];
      y[r] = item.classIndex;
      group[r] = i;
    }
  });
  return { design: { x, n, d: dim }, targets: { y, k: numClasses }, group, groups: items.length };
}

export interface LinearHeadOptions {
  seed: number;
  shouldStop?(): boolean;
  onProgress?(done: number, total: number): void;
}

export function fitLinearHead(rows: CvData, opts: LinearHeadOptions): LinearHeadFit {
  const scaler = fitScaler(rows.design);
  const scaled: CvData = { ...rows, design: applyScaler(scaler, rows.design) };
  if (!canCrossValidate(scaled)) return fitScaled(scaled, scaler, FALLBACK_C);
  const cv = logisticRegressionCv(scaled, {
    cs: HEAD_CS,
    folds: 5,
    seed: opts.seed,
    objective: objectiveFor(scaled),
    prunePath: true,
    select: 'accuracy-then-log-loss',
    shouldStop: opts.shouldStop,
    onProgress: opts.onProgress
  });
  return { scaler, model: cv.model, c: cv.c, cv };
}

/** The head fitted at a given C (standardised on these rows), no cross-validation: e.g. on one fold of a check. */
export function fitLinearHeadAt(rows: CvData, c: number): LinearHeadFit {
  const scaler = fitScaler(rows.design);
  return fitScaled({ ...rows, design: applyScaler(scaler, rows.design) }, scaler, c);
}

function fitScaled(scaled: CvData, scaler: Scaler, c: number): LinearHeadFit {
  const source = objectiveFor(scaled)(scaled.design, scaled.targets);
  try {
    const { model } = fitSoftmax(source, { k: scaled.targets.k, d: scaled.design.d }, c);
    return { scaler, model, c, cv: null };
  } finally {
    source.dispose();
  }
}

/** Kernel [d, k] and bias [k] in the raw feature space: W' = W/σ, b' = b − W'·μ. */
export function denseWeights(fit: LinearHeadFit): { kernel: Float32Array; bias: Float32Array } {
  const { k, d, coef, intercept } = fit.model;
  const kernel = new Float32Array(d * k);
  const bias = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    let shift = 0;
    for (let j = 0; j < d; j++) {
      const w = coef[c * d + j] / fit.scaler.scale[j];
      kernel[j * k + c] = w;
      shift += w * fit.scaler.mean[j];
    }
    bias[c] = intercept[c] - shift;
  }
  return { kernel, bias };
}

/** Writes the fit into the head's output Dense layer (the softmax over the classes). */
export function setHeadWeights(head: tf.Sequential, fit: LinearHeadFit): void {
  const dense = head.layers[head.layers.length - 1];
  const { kernel, bias } = denseWeights(fit);
  const tensors = [tf.tensor2d(kernel, [fit.model.d, fit.model.k]), tf.tensor1d(bias)];
  try {
    dense.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}
