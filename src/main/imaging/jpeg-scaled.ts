/**
 * The optional jpeg-scaled addon (native/jpeg-scaled.c, built after `npm install` by
 * scripts/build-native.mjs into .native/): libjpeg-turbo decoding a JPEG at 1/2, 1/4 or 1/8 of
 * its size, in the DCT. The thumbnail path (jpeg-turbo-thumbnail.ts) uses it to decode a photo
 * straight to about its thumbnail's size; where it was not built (no C compiler or libjpeg-turbo
 * headers at install time, Windows) or TS_JPEG_SCALED=0, that path decodes at full size instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export interface JpegScaled {
  /** Writes RGBX pixels of the JPEG at 1/`denominator` scale into `out` (exactly width × height × 4 bytes). */
  decodeScaled(jpeg: Buffer, denominator: ScaleDenominator, out: Buffer): { width: number; height: number };
}

export type ScaleDenominator = 1 | 2 | 4 | 8;

const DENOMINATORS: readonly ScaleDenominator[] = [8, 4, 2, 1];
const ADDON = '.native/jpeg-scaled.node';
/** What scripts/build-native.mjs says of its last build. */
const NOTE = '.native/jpeg-scaled.json';

let addon: JpegScaled | null | undefined;
let unavailableReason: string | null = null;

/**
 * Where .native/ may be: the repository or app folder, three levels up from src/main/imaging
 * (tsx, tests, and the import workers' dev bundle in node_modules/.cache/transfer-studio), two
 * from out/main (electron-vite's bundle, also inside a packaged app's asar, whose unpacked copy
 * Electron loads).
 */
const ROOTS = [resolve(import.meta.dirname, '../../..'), resolve(import.meta.dirname, '../..')];

function addonPath(): string | null {
  return ROOTS.map((root) => join(root, ADDON)).find((p) => existsSync(p)) ?? null;
}

/** The addon, or null (with the reason in `jpegScaledStatus`) when it is not there or turned off. */
export function jpegScaled(): JpegScaled | null {
  if (addon !== undefined) return addon;
  if (process.env.TS_JPEG_SCALED === '0') {
    unavailableReason = 'turned off by TS_JPEG_SCALED=0';
    return (addon = null);
  }
  const file = addonPath();
  if (file === null) {
    unavailableReason = `not built (${buildReason() ?? 'run "node scripts/build-native.mjs"'})`;
    return (addon = null);
  }
  try {
    addon = createRequire(import.meta.url)(file) as JpegScaled;
  } catch (err) {
    unavailableReason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    addon = null;
  }
  return addon;
}

/** Why the install-time build did not make the addon, from the note scripts/build-native.mjs leaves. */
function buildReason(): string | null {
  for (const root of ROOTS) {
    try {
      const note = JSON.parse(readFileSync(join(root, NOTE), 'utf8')) as { reason?: unknown };
      if (typeof note.reason === 'string') return note.reason;
    } catch {
      // no note here: try the next folder
    }
  }
  return null;
}

/** Whether the scaled decode is used in this process, and if not, why. */
export function jpegScaledStatus(): { available: boolean; reason: string | null } {
  return { available: jpegScaled() !== null, reason: unavailableReason };
}

/** The size libjpeg decodes a side of `side` px to at 1/`denominator` (it rounds up). */
export function scaledSide(side: number, denominator: ScaleDenominator): number {
  return Math.ceil(side / denominator);
}

/** The smallest scale whose image still covers `minWidth`×`minHeight`, so nothing is enlarged later. */
export function scaleDenominator(width: number, height: number, minWidth: number, minHeight: number): ScaleDenominator {
  return DENOMINATORS.find((d) => scaledSide(width, d) >= minWidth && scaledSide(height, d) >= minHeight) ?? 1;
}
