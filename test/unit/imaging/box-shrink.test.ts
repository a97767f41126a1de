/**
 * The WebAssembly box shrink averages exactly as a plain loop does, for every factor the
 * thumbnail path uses and for widths that are not a multiple of its 16-byte step; and the bytes
 * the app loads are what box-shrink.wat compiles to.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAndShrink } from '../../../src/main/imaging/box-shrink';

const REPO = path.resolve(import.meta.dirname, '../../..');

/** An RGBX test image whose every byte differs from its neighbours'. */
function pattern(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + ((i / (width * 4)) | 0) * 101) % 256;
  return data;
}

/** The reference: each block's mean per channel, rounded to nearest (halves up). */
function reference(rgbx: Buffer, width: number, height: number, factor: number): Uint8Array {
  const ow = Math.floor(width / factor);
  const oh = Math.floor(height / factor);
  const out = new Uint8Array(ow * oh * 3);
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = 0; y < factor; y++)
          for (let x = 0; x < factor; x++) sum += rgbx[((oy * factor + y) * width + ox * factor + x) * 4 + c];
        out[(oy * ow + ox) * 3 + c] = Math.floor((sum + Math.floor((factor * factor) / 2)) / (factor * factor));
      }
  return out;
}

describe('decodeAndShrink', () => {
  it.each([
    [64, 48, 1],
    [64, 48, 4],
    [1023, 767, 4],
    [301, 203, 3],
    [250, 190, 7],
    [512, 512, 16]
  ])('averages %i×%i by %i exactly as a plain loop does', (width, height, factor) => {
    const image = pattern(width, height);
    const shrunk = decodeAndShrink(width, height, factor, (target) => image.copy(target));
    expect([shrunk.width, shrunk.height]).toEqual([Math.floor(width / factor), Math.floor(height / factor)]);
    expect(Buffer.from(shrunk.data).equals(Buffer.from(reference(image, width, height, factor)))).toBe(true);
  });

  it('grows its memory for a larger photo after a smaller one', () => {
    const small = pattern(40, 30);
    const large = pattern(1000, 1000);
    decodeAndShrink(40, 30, 2, (target) => small.copy(target));
    const shrunk = decodeAndShrink(1000, 1000, 4, (target) => large.copy(target));
    expect(Buffer.from(shrunk.data).equals(Buffer.from(reference(large, 1000, 1000, 4)))).toBe(true);
  });

  it('refuses a factor its 16-bit sums were not sized for', () => {
    expect(() => decodeAndShrink(100, 100, 17, () => undefined)).toThrow(RangeError);
  });

  it('loads the bytes box-shrink.wat compiles to', () => {
    const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: REPO, encoding: 'utf8' });
    expect(out).toContain('box-shrink-wasm.ts matches');
  });
});
