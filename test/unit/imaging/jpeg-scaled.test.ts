/**
 * The jpeg-scaled addon (libjpeg-turbo's DCT-scaled decode) and its install-time build: it is
 * built from today's source wherever the platform can build it, decodes real photos at every
 * scale to the sizes the thumbnail path computes, with sharp's picture, and refuses bad input
 * with an error rather than a crash; the build script never fails an install.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  jpegScaled,
  jpegScaledStatus,
  scaleDenominator,
  scaledSide,
  type JpegScaled,
  type ScaleDenominator
} from '../../../src/main/imaging/jpeg-scaled';
import { realPhoto } from '../../helpers/real-jpeg';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SOURCE = path.join(ROOT, 'src/main/imaging/native/jpeg-scaled.c');
const BUILD = path.join(ROOT, 'scripts/build-native.mjs');
const temp = mkdtempSync(path.join(os.tmpdir(), 'tstudio-native-'));

afterAll(() => rmSync(temp, { recursive: true, force: true }));

function addon(): JpegScaled {
  const a = jpegScaled();
  if (a === null) throw new Error(`jpeg-scaled is not available: ${jpegScaledStatus().reason}`);
  return a;
}

/** Mean absolute difference per channel value, 0–255, of RGBX against RGB pixels. */
function meanDifference(rgbx: Buffer, rgb: Buffer): number {
  let sum = 0;
  for (let p = 0; p < rgb.length / 3; p++) for (let k = 0; k < 3; k++) sum += Math.abs(rgbx[p * 4 + k] - rgb[p * 3 + k]);
  return sum / rgb.length;
}

// Windows has no build script yet (README, Install): there the thumbnails always decode at full size.
describe.skipIf(process.platform === 'win32')('the jpeg-scaled addon', () => {
  it('was built at install, from the current jpeg-scaled.c', () => {
    expect(jpegScaledStatus()).toEqual({ available: true, reason: null });
    const note = JSON.parse(readFileSync(path.join(ROOT, '.native/jpeg-scaled.json'), 'utf8')) as { source: string };
    const hash = createHash('sha256').update(readFileSync(SOURCE)).digest('hex').slice(0, 16);
    // A stale build: run "node scripts/build-native.mjs" (npm install does).
    expect(note.source).toBe(hash);
  });

  it.each([1, 2, 4, 8] as ScaleDenominator[])(
    'decodes a 1001×751 photo at 1/%i to the size libjpeg promises, with sharp’s picture',
    async (d) => {
      const photo = await realPhoto(1001, 751);
      const width = scaledSide(1001, d);
      const height = scaledSide(751, d);
      const out = Buffer.alloc(width * height * 4);
      expect(addon().decodeScaled(photo, d, out)).toEqual({ width, height });
      const reference = await sharp(photo).resize(width, height, { fit: 'fill' }).raw().toBuffer();
      // Different downscaling (DCT against Lanczos) differs by a few levels; wrong pixels by tens.
      expect(meanDifference(out, reference)).toBeLessThan(d === 1 ? 0.5 : 5);
    }
  );

  it('expands a greyscale JPEG to equal R, G and B', async () => {
    const grey = await sharp(await realPhoto(640, 480))
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    const out = Buffer.alloc(160 * 120 * 4);
    addon().decodeScaled(grey, 4, out);
    for (let p = 0; p < 160 * 120; p += 97) expect([out[p * 4 + 1], out[p * 4 + 2]]).toEqual([out[p * 4], out[p * 4]]);
  });

  it('throws, and does not crash, on truncated or foreign data and on a wrong output size', async () => {
    const photo = await realPhoto(640, 480);
    const out = Buffer.alloc(160 * 120 * 4);
    const a = addon();
    expect(() => a.decodeScaled(photo.subarray(0, photo.length / 2), 4, out)).toThrow(/could not decode/);
    expect(() => a.decodeScaled(Buffer.from('not a JPEG at all, just text'), 4, out)).toThrow(/could not decode/);
    expect(() => a.decodeScaled(photo, 4, Buffer.alloc(100))).toThrow(/output buffer holds 100 bytes, the scaled image 160x120/);
    expect(() => a.decodeScaled(photo, 3 as ScaleDenominator, out)).toThrow(/1, 2, 4 or 8/);
    // Still works after all that.
    expect(a.decodeScaled(photo, 4, out)).toEqual({ width: 160, height: 120 });
  });
});

describe('the scale chosen for a thumbnail', () => {
  it('is the smallest that still covers it, so nothing is enlarged afterwards', () => {
    expect(scaleDenominator(1024, 768, 256, 192)).toBe(4);
    expect(scaleDenominator(1000, 750, 256, 192)).toBe(2); // 1/4 would give 250×188
    expect(scaleDenominator(4032, 3024, 256, 192)).toBe(8);
    expect(scaleDenominator(500, 375, 256, 192)).toBe(1);
    expect(scaleDenominator(200, 150, 200, 150)).toBe(1);
    expect(scaledSide(751, 8)).toBe(94);
  });
});

describe.skipIf(process.platform === 'win32')('scripts/build-native.mjs', () => {
  function build(
    out: string,
    env: NodeJS.ProcessEnv = process.env
  ): { status: number | null; stdout: string; note: Record<string, unknown> } {
    const r = spawnSync(process.execPath, [BUILD, '--out', out], { encoding: 'utf8', env });
    return {
      status: r.status,
      stdout: r.stdout,
      note: JSON.parse(readFileSync(path.join(out, 'jpeg-scaled.json'), 'utf8')) as Record<string, unknown>
    };
  }

  it('builds an addon that loads and decodes', async () => {
    const out = path.join(temp, 'built');
    const r = build(out);
    expect(r.status).toBe(0);
    expect(r.note).toMatchObject({ built: true, reason: null });
    const fresh = createRequire(import.meta.url)(path.join(out, 'jpeg-scaled.node')) as JpegScaled;
    const target = Buffer.alloc(128 * 96 * 4);
    expect(fresh.decodeScaled(await realPhoto(1024, 768), 8, target)).toEqual({ width: 128, height: 96 });
  }, 60_000);

  it('never fails an install: without a C compiler it says what to install, exits 0 and leaves no addon', () => {
    // A PATH holding only node: no cc, no pkg-config.
    const bin = path.join(temp, 'bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, path.join(bin, 'node'));
    const out = path.join(temp, 'none');
    const r = build(out, { ...process.env, PATH: bin });
    expect(r.status).toBe(0);
    expect(r.note).toEqual({ built: false, reason: 'no C compiler (cc) found' });
    expect(r.stdout).toMatch(/not built \(no C compiler \(cc\) found\)\. Thumbnails use the full-size decode instead\. .*install/);
    expect(existsSync(path.join(out, 'jpeg-scaled.node'))).toBe(false);
  });
});
