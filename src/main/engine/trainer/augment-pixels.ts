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

/** Source index pairs and weights of each output column (or row): the same for every row. */
function taps(start: number, step: number, size: number): { lo: Int32Array; hi: Int32Array; w: Float32Array } {
  const lo = new Int32Array(size);
  const hi = new Int32Array(size);
  const w = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const f = start * (size - 1) + i * step;
    lo[i] = Math.min(size - 1, Math.max(0, Math.floor(f)));
    hi[i] = Math.min(size - 1, lo[i] + 1);
    w[i] = f - lo[i];
  }
  return { lo, hi, w };
}

/** Crops, resizes back to size×size (bilinear), flips and jitters one RGB image. */
export function augmentPixels(src: Uint8Array, size: number, p: AugmentParams): Uint8Array {
  const [y1, x1, y2, x2] = p.box;
  // Source position of output pixel i: start·(S−1) + i·(end−start), as cropAndResize maps a crop
  // of the same size as the image.
  const rows = taps(y1, y2 - y1, size);
  const cols = taps(x1, x2 - x1, size);
  const out = new Float32Array(size * size * 3);
  let sum = 0;
  for (let y = 0; y < size; y++) {
    const top = rows.lo[y] * size * 3;
    const bottom = rows.hi[y] * size * 3;
    const dy = rows.w[y];
    for (let x = 0; x < size; x++) {
      const a = cols.lo[x] * 3;
      const b = cols.hi[x] * 3;
      const dx = cols.w[x];
      const o = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const t = src[top + a + c] + (src[top + b + c] - src[top + a + c]) * dx;
        const u = src[bottom + a + c] + (src[bottom + b + c] - src[bottom + a + c]) * dx;
        const v = t + (u - t) * dy;
        out[o + c] = v;
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
