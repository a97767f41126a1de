/**
 * Turning a Grad-CAM map into pictures: bilinear upsampling to the photo's crop, the jet colour
 * map, and PNGs (the photo with the heat blended over it, or the heat alone with transparency
 * for the app to lay over a photo it already shows).
 */
import sharp from 'sharp';

/**
 * Bilinear upsampling of an h×w map to size×size with pixel centres aligned (each cell covers
 * size/h px, as a conv map cell covers its stride of the input), scaled to 0–1 by its maximum.
 * An all-zero map stays zero.
 */
export function upsampleCam(cam: Float32Array, height: number, width: number, size: number): Float32Array {
  let max = 0;
  for (const v of cam) max = Math.max(max, v);
  const out = new Float32Array(size * size);
  if (max <= 0) return out;
  const coord = (i: number, n: number) => Math.min(Math.max(((i + 0.5) * n) / size - 0.5, 0), n - 1);
  for (let y = 0; y < size; y++) {
    const fy = coord(y, height);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = coord(x, width);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, width - 1);
      const wx = fx - x0;
      const top = cam[y0 * width + x0] * (1 - wx) + cam[y0 * width + x1] * wx;
      const bottom = cam[y1 * width + x0] * (1 - wx) + cam[y1 * width + x1] * wx;
      out[y * size + x] = (top * (1 - wy) + bottom * wy) / max;
    }
  }
  return out;
}

/** The jet colour map (blue → cyan → yellow → red) of v in 0–1, as RGB 0–255. */
export function jet(v: number): [number, number, number] {
  const channel = (offset: number) => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - offset))));
  return [channel(3), channel(2), channel(1)];
}

/** How strongly the heat covers the photo: faint where cold, so the photo stays readable. */
function opacity(v: number): number {
  return 0.15 + 0.45 * v;
}

/**
 * The photo (RGB bytes, size² · 3, the same crop the model saw, at display size) with the
 * heat blended over it, as PNG.
 */
export async function renderOverlayPng(photo: Uint8Array, size: number, cam: Float32Array, height: number, width: number): Promise<Buffer> {
  const heat = upsampleCam(cam, height, width, size);
  const out = Buffer.alloc(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const colour = jet(heat[p]);
    const a = opacity(heat[p]);
    for (let ch = 0; ch < 3; ch++) out[p * 3 + ch] = Math.round(photo[p * 3 + ch] * (1 - a) + colour[ch] * a);
  }
  return sharp(out, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

/** The heat alone, RGBA with the same opacity, size × size PNG: to lay over the crop of a shown photo. */
export async function renderHeatmapPng(cam: Float32Array, height: number, width: number, size: number): Promise<Buffer> {
  const heat = upsampleCam(cam, height, width, size);
  const out = Buffer.alloc(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    const [r, g, b] = jet(heat[p]);
    out.set([r, g, b, Math.round(255 * opacity(heat[p]))], p * 4);
  }
  return sharp(out, { raw: { width: size, height: size, channels: 4 } })
    .png()
    .toBuffer();
}

/** Rows top to bottom, for JSON. */
export function camRows(cam: Float32Array, height: number, width: number): number[][] {
  return Array.from({ length: height }, (_, y) => Array.from(cam.subarray(y * width, (y + 1) * width)));
}
