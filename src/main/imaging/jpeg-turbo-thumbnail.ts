/**
 * The fast thumbnail path for ordinary JPEGs, through libjpeg-turbo. Where the jpeg-scaled addon
 * was built (jpeg-scaled.ts) it decodes the photo at 1/2–1/8 scale in the DCT, to the smallest
 * size still covering the thumbnail; otherwise the optional @julusian/jpeg-turbo prebuilt
 * binding decodes it at full size. box-shrink.ts (WebAssembly) then averages by any whole factor
 * left, pixel-shrink.ts does the rest and the orientation, and the binding encodes. On the import
 * bench's 1024×768 photos the full-size path takes about half the CPU of sharp's pipeline, and
 * the scaled one about two thirds of that. Without the scaled decode the path is used only up to
 * TURBO_MAX_PIXELS, beyond which sharp's shrink-on-load wins; CMYK, ICC-tagged and unusual JPEGs
 * go to sharp too. When the binding cannot load (a platform without a prebuild, or
 * TS_JPEG_TURBO=0) every thumbnail is made by sharp, with the same size and orientation.
 */
import { createRequire } from 'node:module';
import type * as JpegTurbo from '@julusian/jpeg-turbo';
import { decodeAndShrink, MAX_BOX_FACTOR } from './box-shrink';
import { jpegScaled, scaleDenominator, scaledSide, type JpegScaled } from './jpeg-scaled';
import { orientRgb, resizeBilinear, type RgbImage } from './pixel-shrink';

/**
 * Photos larger than this (pixels) are left to sharp: a full decode grows with the pixel count,
 * while sharp decodes at 1/2–1/8 scale. Measured on x64 (CPU per thumbnail): 3.4 vs 6.5 ms at
 * 0.8 MP, 4.8 vs 7.0 ms at 1.2 MP, even at 1.9 MP, sharp ahead from 3 MP.
 */
export const TURBO_MAX_PIXELS = 1_600_000;

/**
 * With the scaled decode, the limit is memory rather than speed: a progressive JPEG is held as
 * full-size DCT coefficients while it decodes (~3 bytes per pixel, 150 MB at this size, per
 * worker). 48 MP phone photos fit; larger ones go to sharp, which streams them.
 */
export const SCALED_MAX_PIXELS = 50_000_000;

/** What the probe learned about the photo, enough to choose the path. */
export interface JpegTraits {
  /** Stored (not oriented) size, px. */
  width: number;
  height: number;
  /** EXIF orientation 1–8. */
  orientation: number;
  /** An embedded ICC profile: sharp converts those to sRGB, so they go there. */
  hasProfile: boolean;
  /** 3 for YCbCr/RGB, 1 for greyscale, 4 for CMYK. */
  channels: number;
}

let binding: typeof JpegTurbo | null | undefined;
/** The encoder's worst-case output buffer, reused likewise (libjpeg-turbo sizes it for incompressible data). */
let encoded: Buffer | null = null;
let unavailableReason: string | null = null;

/** The binding, or null (with the reason in `jpegTurboStatus`) when it cannot be used here. */
function turbo(): typeof JpegTurbo | null {
  if (binding !== undefined) return binding;
  if (process.env.TS_JPEG_TURBO === '0') {
    unavailableReason = 'turned off by TS_JPEG_TURBO=0';
    return (binding = null);
  }
  try {
    binding = createRequire(import.meta.url)('@julusian/jpeg-turbo') as typeof JpegTurbo;
  } catch (err) {
    unavailableReason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    binding = null;
  }
  return binding;
}

/** Which JPEG thumbnail path this process uses, for benchmarks and diagnostics. */
export function jpegTurboStatus(): { available: boolean; reason: string | null } {
  return { available: turbo() !== null, reason: unavailableReason };
}

/**
 * A JPEG thumbnail fitting inside `size`×`size` (never enlarged), or null when this photo should
 * go to sharp instead: the binding is unavailable, the photo is too large, CMYK or ICC-tagged, or
 * libjpeg-turbo refused it (truncated or damaged data: sharp then names the problem).
 */
export function turboThumbnail(bytes: Buffer, traits: JpegTraits, size: number, quality: number): Buffer | null {
  const jt = turbo();
  const scaled = jt === null ? null : jpegScaled();
  if (jt === null || !eligible(traits, scaled !== null)) return null;
  const target = fitInside(traits.width, traits.height, size);
  let shrunk: RgbImage;
  try {
    shrunk = decode(bytes, traits, target, (rgbx) => jt.decompressSync(bytes, rgbx, { format: jt.FORMAT_RGBX }), scaled);
  } catch {
    return null;
  }
  const upright = orientRgb(resizeBilinear(shrunk, target.width, target.height), traits.orientation);
  const need = jt.bufferSize({ width: upright.width, height: upright.height, subsampling: jt.SAMP_420 });
  if (encoded === null || encoded.length < need) encoded = Buffer.allocUnsafe(need);
  const rgb = Buffer.from(upright.data.buffer, upright.data.byteOffset, upright.data.length);
  const options = { format: jt.FORMAT_RGB, width: upright.width, height: upright.height, quality, subsampling: jt.SAMP_420 };
  // A copy of exactly the JPEG's size: the shared buffer is rewritten by the next photo.
  return Buffer.from(jt.compressSync(rgb, encoded, options));
}

/**
 * Decodes at the smallest scale covering `target` (full size without the addon), then averages
 * by the whole factor left, into the shrinker's reused memory: a fresh multi-megabyte buffer
 * per photo would cost the kernel about as much as the decode (fresh pages). Throws on damaged
 * data.
 */
function decode(
  bytes: Buffer,
  traits: JpegTraits,
  target: { width: number; height: number },
  fullDecode: (rgbx: Buffer) => { width: number; height: number },
  scaled: JpegScaled | null
): RgbImage {
  const denominator = scaled === null ? 1 : scaleDenominator(traits.width, traits.height, target.width, target.height);
  const width = scaledSide(traits.width, denominator);
  const height = scaledSide(traits.height, denominator);
  const factor = Math.min(MAX_BOX_FACTOR, Math.max(1, Math.floor(Math.min(width / target.width, height / target.height))));
  return decodeAndShrink(width, height, factor, (rgbx) => {
    const decoded = scaled === null ? fullDecode(rgbx) : scaled.decodeScaled(bytes, denominator, rgbx);
    if (decoded.width !== width || decoded.height !== height) throw new Error('the frame size differs from the header');
  });
}

function eligible(t: JpegTraits, scaled: boolean): boolean {
  const limit = scaled ? SCALED_MAX_PIXELS : TURBO_MAX_PIXELS;
  return !t.hasProfile && (t.channels === 3 || t.channels === 1) && t.width * t.height <= limit;
}

/** sharp's `fit: 'inside', withoutEnlargement` size for the stored image, px. */
export function fitInside(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= size && height <= size) return { width, height };
  if (width >= height) return { width: size, height: Math.max(1, Math.round((height * size) / width)) };
  return { width: Math.max(1, Math.round((width * size) / height)), height: size };
}
