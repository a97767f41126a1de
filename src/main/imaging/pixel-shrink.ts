/**
 * Small, allocation-light pixel operations for the libjpeg-turbo thumbnail path
 * (jpeg-turbo-thumbnail.ts): an area-average shrink by a whole factor, a bilinear step for the
 * remaining (< 2×) scale, and EXIF orientation. Plain JS on typed arrays: they run on at most a
 * few megapixels, where a round trip through libvips would cost more than the work itself.
 */

export interface RgbImage {
  width: number;
  height: number;
  /** 3 bytes per pixel, rows packed. */
  data: Uint8Array;
}

/** Largest whole shrink factor the 16-bit lanes of `shrinkRgbx` can sum without overflow. */
export const MAX_BOX_FACTOR = 16;

/**
 * Averages each `factor`×`factor` block of an RGBX image (4 bytes per pixel, as libjpeg-turbo
 * writes it) into one RGB pixel. Two pixel channels ride in each 32-bit lane pair, so a block of
 * up to 16×16 pixels sums without overflow. Edge pixels beyond the last whole block are dropped
 * (at most factor−1 columns/rows, as a JPEG scaled decode would).
 */
export function shrinkRgbx(data: Uint8Array, width: number, height: number, factor: number): RgbImage {
  if (factor < 1 || factor > MAX_BOX_FACTOR || !Number.isInteger(factor)) throw new RangeError(`shrink factor ${factor} out of range`);
  const ow = Math.floor(width / factor);
  const oh = Math.floor(height / factor);
  const src = new Int32Array(data.buffer, data.byteOffset, width * height);
  const out = new Uint8Array(ow * oh * 3);
  const rb = new Int32Array(ow);
  const gx = new Int32Array(ow);
  const area = factor * factor;
  const half = area >> 1;
  for (let oy = 0; oy < oh; oy++) {
    rb.fill(0);
    gx.fill(0);
    for (let r = 0; r < factor; r++) sumRow(src, (oy * factor + r) * width, ow, factor, rb, gx);
    let o = oy * ow * 3;
    for (let ox = 0; ox < ow; ox++) {
      // Little-endian words: byte 0 is R (low lane of rb), byte 1 G (low lane of gx), byte 2 B.
      out[o++] = (((rb[ox] & 0xffff) + half) / area) | 0;
      out[o++] = (((gx[ox] & 0xffff) + half) / area) | 0;
      out[o++] = (((rb[ox] >>> 16) + half) / area) | 0;
    }
  }
  return { width: ow, height: oh, data: out };
}

/**
 * Adds one source row's blocks into the lane sums. Int32 throughout (an RGBX word read as
 * unsigned would leave V8's integer fast path); pairs are unrolled for the usual even factors.
 */
function sumRow(src: Int32Array, start: number, blocks: number, factor: number, rb: Int32Array, gx: Int32Array): void {
  let p = start;
  const pairs = factor & ~1;
  for (let ox = 0; ox < blocks; ox++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < pairs; j += 2, p += 2) {
      const v0 = src[p];
      const v1 = src[p + 1];
      a += (v0 & 0x00ff00ff) + (v1 & 0x00ff00ff);
      b += ((v0 >> 8) & 0x00ff00ff) + ((v1 >> 8) & 0x00ff00ff);
    }
    if (pairs !== factor) {
      const v = src[p++];
      a += v & 0x00ff00ff;
      b += (v >> 8) & 0x00ff00ff;
    }
    rb[ox] += a;
    gx[ox] += b;
  }
}

/** Bilinear resample to exactly `width`×`height`; meant for the last step, a scale under 2×. */
export function resizeBilinear(img: RgbImage, width: number, height: number): RgbImage {
  if (img.width === width && img.height === height) return img;
  const out = new Uint8Array(width * height * 3);
  const sx = img.width / width;
  const sy = img.height / height;
  const src = img.data;
  const rowBytes = img.width * 3;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = fy | 0;
    const y1 = Math.min(y0 + 1, img.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = fx | 0;
      const x1 = Math.min(x0 + 1, img.width - 1);
      const wx = fx - x0;
      const a = y0 * rowBytes + x0 * 3;
      const b = y0 * rowBytes + x1 * 3;
      const c = y1 * rowBytes + x0 * 3;
      const d = y1 * rowBytes + x1 * 3;
      for (let k = 0; k < 3; k++) {
        const top = src[a + k] + (src[b + k] - src[a + k]) * wx;
        const bottom = src[c + k] + (src[d + k] - src[c + k]) * wx;
        out[o++] = (top + (bottom - top) * wy + 0.5) | 0;
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Applies an EXIF orientation (1–8) so the image displays upright, as sharp's `rotate()` does.
 * Orientations 5–8 swap width and height.
 */
export function orientRgb(img: RgbImage, orientation: number): RgbImage {
  if (orientation < 2 || orientation > 8) return img;
  const { width: w, height: h, data } = img;
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [dx, dy] = orientedPosition(orientation, x, y, w, h);
      const s = (y * w + x) * 3;
      const d = (dy * ow + dx) * 3;
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width: ow, height: oh, data: out };
}

/** Where stored pixel (x, y) lands in the upright image, per the EXIF orientation tag. */
function orientedPosition(orientation: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (orientation) {
    case 2:
      return [w - 1 - x, y];
    case 3:
      return [w - 1 - x, h - 1 - y];
    case 4:
      return [x, h - 1 - y];
    case 5:
      return [y, x];
    case 6:
      return [h - 1 - y, x];
    case 7:
      return [h - 1 - y, w - 1 - x];
    default:
      return [y, w - 1 - x];
  }
}
