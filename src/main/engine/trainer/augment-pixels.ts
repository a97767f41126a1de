/**
 * Stage-2 augmentation on decoded RGB bytes, in plain JS so its output can go straight into
 * ONNX Runtime: a random crop of 85–100% of the side (bilinear, back to full size, as
 * tf.image.cropAndResize does), a random left-right flip, and a small contrast/brightness
 * jitter. Each (photo, view) pair has its own seeded draw, so a view is the same image whether
 * it is computed once and kept or computed again when needed.
 */
import { createRng } from './rng';

export interface AugmentParams {
  /** Crop box, normalised: [y1, x1, y2, x2]; x1 > x2 mirrors the crop. */
  box: [number, number, number, number];
  /** Contrast gain around the image mean (1 = none). */
  gain: number;
  /** Brightness shift, 0..255 units. */
  offset: number;
}

/** Mixes a run seed, a photo index and a view number into one 32-bit seed. */
export function viewSeed(seed: number, photo: number, view: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [photo, view]) {
    h = Math.imul(h ^ (v + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** The draw of one view: a crop of minCrop–100% of the side at a random place, a coin flip, gain and offset. */
export function augmentParams(seed: number, minCrop = 0.85, jitter = 0.1): AugmentParams {
  const rng = createRng(seed);
  const side = minCrop + (1 - minCrop) * rng.next();
  const y1 = (1 - side) * rng.next();
  const x1 = (1 - side) * rng.next();
  const flip = rng.next() < 0.5;
  const box: AugmentParams['box'] = flip ? [y1, x1 + side, y1 + side, x1] : [y1, x1, y1 + side, x1 + side];
  return { box, gain: 1 + jitter * (2 * rng.next() - 1), offset: 255 * jitter * (rng.next() - 0.5) };
}

/** Crops, resizes back to size×size (bilinear), flips and jitters one RGB image. */
export function augmentPixels(src: Uint8Array, size: number, p: AugmentParams): Uint8Array {
  const [y1, x1, y2, x2] = p.box;
  // Source position of output pixel y: y1·(S−1) + y·(y2−y1), as cropAndResize maps a crop of
  // the same size as the image.
  const scaleY = y2 - y1;
  const scaleX = x2 - x1;
  const out = new Float32Array(size * size * 3);
  let sum = 0;
  for (let y = 0; y < size; y++) {
    const fy = y1 * (size - 1) + y * scaleY;
    const y0 = Math.min(size - 1, Math.max(0, Math.floor(fy)));
    const yb = Math.min(size - 1, y0 + 1);
    const dy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = x1 * (size - 1) + x * scaleX;
      const x0 = Math.min(size - 1, Math.max(0, Math.floor(fx)));
      const xb = Math.min(size - 1, x0 + 1);
      const dx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const top = src[(y0 * size + x0) * 3 + c] * (1 - dx) + src[(y0 * size + xb) * 3 + c] * dx;
        const bottom = src[(yb * size + x0) * 3 + c] * (1 - dx) + src[(yb * size + xb) * 3 + c] * dx;
        const v = top * (1 - dy) + bottom * dy;
        out[(y * size + x) * 3 + c] = v;
        sum += v;
      }
    }
  }
  const mean = sum / out.length;
  const bytes = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) {
    // Contrast around the image's mean, then a brightness shift.
    bytes[i] = Math.max(0, Math.min(255, Math.round((out[i] - mean) * p.gain + mean + p.offset)));
  }
  return bytes;
}
