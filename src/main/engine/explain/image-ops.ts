/**
 * Image-space operations of filter visualisation, on [N, S, S, 3] RGB float tensors (0–255):
 * the regularisers good visualisers use (jitter, Gaussian blur) and the deprocessing to 8 bits.
 */
import * as tf from '@tensorflow/tfjs';

/** Shifts the image by (dy, dx) px with wrap-around, as DeepDream's jitter does. */
export function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return rollAxis(rollAxis(x, dy, 1), dx, 2);
}

function rollAxis(x: tf.Tensor4D, shift: number, axis: 1 | 2): tf.Tensor4D {
  const n = x.shape[axis];
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  const begin = [0, 0, 0, 0];
  const size = [-1, -1, -1, -1];
  size[axis] = n - s;
  const head = tf.slice(x, begin, size);
  begin[axis] = n - s;
  size[axis] = s;
  const tail = tf.slice(x, begin, size);
  return tf.concat([tail, head], axis);
}

/** Separable Gaussian blur with mirrored edges (zero padding would darken the border). */
export function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  if (sigma <= 0) return x;
  const radius = Math.max(1, Math.ceil(2 * sigma));
  const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = taps.reduce((a, b) => a + b, 0);
  const weights = taps.map((t) => t / total);
  const channels = x.shape[3];
  return tf.tidy(() => {
    const kernel = tf.tensor1d(weights);
    const vertical = tf.tile(kernel.reshape([2 * radius + 1, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const horizontal = tf.tile(kernel.reshape([1, 2 * radius + 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const padded = tf.mirrorPad(
      x,
      [
        [0, 0],
        [radius, radius],
        [radius, radius],
        [0, 0]
      ],
      'reflect'
    );
    return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, vertical, 1, 'valid'), horizontal, 1, 'valid');
  });
}

/**
 * To 8-bit RGB the way the Keras article does: centre on the image's mean, scale its standard
 * deviation to 64 levels around mid-grey, clip. The optimised image is already in RGB 0–255
 * (the backbone's preprocessing is applied inside the objective), so nothing else is undone.
 * Returns size·size·3 bytes per image, row-major.
 */
export async function deprocess(images: tf.Tensor4D): Promise<Uint8Array[]> {
  const stretched = tf.tidy(() => {
    const { mean, variance } = tf.moments(images, [1, 2, 3], true);
    return tf.clipByValue(tf.add(tf.mul(tf.div(tf.sub(images, mean), tf.add(tf.sqrt(variance), 1e-5)), 64), 128), 0, 255);
  });
  const data = (await stretched.data()) as Float32Array;
  stretched.dispose();
  const per = data.length / images.shape[0];
  return Array.from({ length: images.shape[0] }, (_, i) => Uint8Array.from(data.subarray(i * per, (i + 1) * per), (v) => Math.round(v)));
}
