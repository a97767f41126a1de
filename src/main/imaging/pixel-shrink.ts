/**
 * The small-image steps of the libjpeg-turbo thumbnail path (jpeg-turbo-thumbnail.ts), after the
 * whole-factor shrink (box-shrink.ts): a bilinear step for the remaining (< 2×) scale and EXIF
 * orientation. Plain JS on typed arrays: they run on a thumbnail's ~50,000 pixels, where a round
 * trip through libvips would cost more than the work itself.
 */

export interface RgbImage {
  width: number;
  height: number;
  /** 3 bytes per pixel, rows packed. */
  data: Uint8Array;
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
