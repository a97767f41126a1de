/**
 * Per-feature standardisation (scikit-learn's StandardScaler): mean 0 and unit variance on the
 * rows it was fitted on; a constant feature keeps scale 1. An L2 penalty treats every feature
 * alike only once they share a scale.
 */
import type { Design } from './softmax-regression';

export interface Scaler {
  mean: Float64Array;
  /** Population standard deviation; 1 where a feature is constant. */
  scale: Float64Array;
}

export function fitScaler(design: Design): Scaler {
  const { x, n, d } = design;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j] - mean[j];
      scale[j] += v * v;
    }
  }
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(scale[j] / n);
    scale[j] = sd > 1e-12 * Math.max(1, Math.abs(mean[j])) ? sd : 1;
  }
  return { mean, scale };
}

export function applyScaler(scaler: Scaler, design: Design): Design {
  const { x, n, d } = design;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) out[i * d + j] = (x[i * d + j] - scaler.mean[j]) / scaler.scale[j];
  return { x: out, n, d };
}
