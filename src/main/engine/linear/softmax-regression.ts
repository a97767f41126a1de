/**
 * Multinomial logistic regression with an L2 penalty, as scikit-learn's LogisticRegression
 * (solver lbfgs, multinomial) defines it: minimise
 *   Σᵢ sᵢ · (−log softmax(W·xᵢ + b)[yᵢ]) + ‖W‖² / (2C)
 * over the coefficients W (K×d) and the unpenalised intercepts b (K). Rows are float64,
 * row-major; the fit is deterministic.
 */
import { minimizeLbfgs, type LbfgsOptions, type Objective } from './lbfgs';

/** n rows of d features, row-major. */
export interface Design {
  x: Float64Array;
  n: number;
  d: number;
}

export interface Targets {
  /** Class index of each row, 0..k−1. */
  y: Int32Array;
  k: number;
  /** Per-row weight (class weights, or 1). */
  weight?: Float64Array;
}

export interface SoftmaxModel {
  k: number;
  d: number;
  /** K×d, row-major. */
  coef: Float64Array;
  intercept: Float64Array;
}

export interface FitResult {
  model: SoftmaxModel;
  iterations: number;
  converged: boolean;
}

/** Parameters as one vector: W (K×d, row-major) then b (K). */
export function packModel(model: SoftmaxModel): Float64Array {
  const out = new Float64Array(model.k * model.d + model.k);
  out.set(model.coef);
  out.set(model.intercept, model.k * model.d);
  return out;
}

export function unpackModel(params: Float64Array, k: number, d: number): SoftmaxModel {
  return { k, d, coef: params.slice(0, k * d), intercept: params.slice(k * d, k * d + k) };
}

/** The objective for any C over one set of rows; the rows may live on a compute backend. */
export interface ObjectiveSource {
  forC(c: number): Objective;
  dispose(): void;
}

export type ObjectiveFactory = (design: Design, targets: Targets) => ObjectiveSource;

/** Plain float64 JavaScript: the reference, and what tests check the faster one against. */
export function jsObjective(design: Design, targets: Targets): ObjectiveSource {
  return { forC: (c) => softmaxObjective(design, targets, c), dispose: () => undefined };
}

export function fitSoftmax(
  source: ObjectiveSource,
  shape: { k: number; d: number },
  c: number,
  opts: LbfgsOptions & { start?: SoftmaxModel } = {}
): FitResult {
  const { k, d } = shape;
  const start = opts.start ? packModel(opts.start) : new Float64Array(k * d + k);
  const result = minimizeLbfgs(source.forC(c), start, opts);
  return { model: unpackModel(result.x, k, d), iterations: result.iterations, converged: result.converged };
}

/** The objective and its gradient, for L-BFGS. */
export function softmaxObjective(design: Design, targets: Targets, c: number): (p: Float64Array, g: Float64Array) => number {
  const { x, n, d } = design;
  const { y, k, weight } = targets;
  const z = new Float64Array(k);
  return (params, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      logits(params, x, row, d, k, z);
      const zy = z[y[i]];
      const lse = softmaxInPlace(z);
      const w = weight ? weight[i] : 1;
      loss += w * (lse - zy);
      z[y[i]] -= 1;
      for (let c2 = 0; c2 < k; c2++) {
        const r = w * z[c2];
        if (r === 0) continue;
        const gRow = c2 * d;
        for (let j = 0; j < d; j++) grad[gRow + j] += r * x[row + j];
        grad[k * d + c2] += r;
      }
    }
    let penalty = 0;
    for (let j = 0; j < k * d; j++) {
      penalty += params[j] * params[j];
      grad[j] += params[j] / c;
    }
    return loss + penalty / (2 * c);
  };
}

/** z = W·x_row + b. */
function logits(params: Float64Array, x: Float64Array, row: number, d: number, k: number, z: Float64Array): void {
  for (let c = 0; c < k; c++) {
    const w = c * d;
    let sum = params[k * d + c];
    for (let j = 0; j < d; j++) sum += params[w + j] * x[row + j];
    z[c] = sum;
  }
}

/** Turns the logits z[at..at+k) into probabilities in place; returns log Σ exp(z). */
export function softmaxInPlace(z: Float64Array, at = 0, k = z.length): number {
  let max = -Infinity;
  for (let c = at; c < at + k; c++) max = Math.max(max, z[c]);
  let sum = 0;
  for (let c = at; c < at + k; c++) {
    z[c] = Math.exp(z[c] - max);
    sum += z[c];
  }
  for (let c = at; c < at + k; c++) z[c] /= sum;
  return max + Math.log(sum);
}

/** Class probabilities of every row, [n·k] row-major. */
export function predictSoftmax(model: SoftmaxModel, design: Design): Float64Array {
  const { k, d } = model;
  const params = packModel(model);
  const out = new Float64Array(design.n * k);
  const z = new Float64Array(k);
  for (let i = 0; i < design.n; i++) {
    logits(params, design.x, i * d, d, k, z);
    softmaxInPlace(z);
    out.set(z, i * k);
  }
  return out;
}
