/**
 * A resize written with stock Keras layers, for the multi-scale classifier's smaller branches:
 * as a separable linear map, Permute → Dense (no bias) over the width → Permute → Dense over the
 * height → Permute, with fixed Lanczos-3 weights. Stock layers because a saved model.json must
 * load in any TF.js (tfjs 4.22's own Resizing layer reports a wrong symbolic shape, so a model
 * using it does not load there), and each is one ONNX op (Transpose, MatMul). Lanczos-3,
 * antialiased over the scale as sharp/libvips and Pillow resize, because the branch stands in for
 * the features cached from photos that sharp decoded at the smaller size directly.
 */
import * as tf from '@tensorflow/tfjs';

const LOBES = 3;

function sinc(x: number): number {
  if (x === 0) return 1;
  const p = Math.PI * x;
  return Math.sin(p) / p;
}

function lanczos(x: number): number {
  return Math.abs(x) < LOBES ? sinc(x) * sinc(x / LOBES) : 0;
}

/**
 * [from, to] kernel (Dense layout: input index major) that resizes a line of `from` pixels to
 * `to`: pixel centres aligned, the filter stretched by the scale when shrinking (antialiasing),
 * each output's weights summing to 1 (Pillow's ImagingResample, which libvips' reduce follows).
 */
export function resizeMatrix(from: number, to: number): Float32Array {
  const scale = from / to;
  const stretch = Math.max(1, scale);
  const support = LOBES * stretch;
  const m = new Float32Array(from * to);
  for (let o = 0; o < to; o++) {
    const centre = (o + 0.5) * scale;
    const first = Math.max(0, Math.floor(centre - support + 0.5));
    const last = Math.min(from, Math.floor(centre + support + 0.5));
    let sum = 0;
    for (let i = first; i < last; i++) sum += lanczos((i - centre + 0.5) / stretch);
    for (let i = first; i < last; i++) m[i * to + o] = lanczos((i - centre + 0.5) / stretch) / sum;
  }
  return m;
}

/** Fixed (non-trainable) linear map over the last axis with the given [from, to] kernel. */
function fixedDense(x: tf.SymbolicTensor, kernel: Float32Array, from: number, to: number, name: string): tf.SymbolicTensor {
  const layer = tf.layers.dense({ units: to, useBias: false, trainable: false, name });
  const y = layer.apply(x) as tf.SymbolicTensor;
  const weights = tf.tensor2d(kernel, [from, to]);
  layer.setWeights([weights]);
  weights.dispose();
  return y;
}

/** NHWC images `from`×`from` → `to`×`to`, in layers named after `name`. */
export function resizeImages(x: tf.SymbolicTensor, from: number, to: number, name: string): tf.SymbolicTensor {
  const kernel = resizeMatrix(from, to);
  let y = tf.layers.permute({ dims: [3, 1, 2], name: `${name}_chw` }).apply(x) as tf.SymbolicTensor; // N,C,H,W
  y = fixedDense(y, kernel, from, to, `${name}_width`); // N,C,H,W'
  y = tf.layers.permute({ dims: [1, 3, 2], name: `${name}_cwh` }).apply(y) as tf.SymbolicTensor; // N,C,W',H
  y = fixedDense(y, kernel, from, to, `${name}_height`); // N,C,W',H'
  return tf.layers.permute({ dims: [3, 2, 1], name: `${name}_hwc` }).apply(y) as tf.SymbolicTensor; // N,H',W',C
}
