/**
 * Light augmentation for stage-2 fine-tuning, on RGB 0..255 batches: horizontal flip, a random
 * crop of 85–100% of the side resized back, and a small brightness/contrast jitter. Enough to
 * keep a few hundred photos from being memorised by the unfrozen block, not enough to change
 * what a photo shows.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng';

export interface AugmentOptions {
  /** Smallest crop side as a fraction of the image side, 0–1. */
  minCrop?: number;
  /** Largest brightness/contrast change, as a fraction (0.1 = ±10%). */
  jitter?: number;
}

/** One crop box per image, [y1, x1, y2, x2] normalised; x1 > x2 mirrors the crop. */
export function randomBoxes(n: number, rng: Rng, minCrop = 0.85): number[][] {
  const boxes: number[][] = [];
  for (let i = 0; i < n; i++) {
    const side = minCrop + (1 - minCrop) * rng.next();
    const y1 = (1 - side) * rng.next();
    const x1 = (1 - side) * rng.next();
    const flip = rng.next() < 0.5;
    boxes.push(flip ? [y1, x1 + side, y1 + side, x1] : [y1, x1, y1 + side, x1 + side]);
  }
  return boxes;
}

export function augmentBatch(images: tf.Tensor4D, rng: Rng, opts: AugmentOptions = {}): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const jitter = opts.jitter ?? 0.1;
  const boxes = randomBoxes(n, rng, opts.minCrop);
  const gains = boxes.map(() => 1 + jitter * (2 * rng.next() - 1));
  const offsets = boxes.map(() => 255 * jitter * (rng.next() - 0.5));
  return tf.tidy(() => {
    const indices = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
    const cropped = tf.image.cropAndResize(images, tf.tensor2d(boxes, [n, 4]), indices, [h, w], 'bilinear');
    const gain = tf.tensor4d(gains, [n, 1, 1, 1]);
    const offset = tf.tensor4d(offsets, [n, 1, 1, 1]);
    const mean = cropped.mean([1, 2, 3], true);
    // Contrast around each image's mean, then a brightness shift.
    return cropped.sub(mean).mul(gain).add(mean).add(offset).clipByValue(0, 255) as tf.Tensor4D;
  });
}
