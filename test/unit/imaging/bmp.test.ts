/**
 * The BMP reader against files written from the format's documentation: every header version,
 * bit depth, row order, bit-field and RLE layout decodes to exactly the intended pixels.
 */
import { describe, expect, it } from 'vitest';
import { decodePhoto, probePhoto } from '../../../src/main/imaging/decode-photo';
import { UndecodablePhotoError } from '../../../src/main/imaging/photo-errors';
import { BMP_VARIANTS, encodeBmp } from '../../helpers/bmp-writer';

const WIDTH = 13; // odd, so every bit depth needs row padding
const HEIGHT = 7;

function testPixels(): Buffer {
  const rgb = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const o = (y * WIDTH + x) * 3;
      rgb[o] = (x * 19) % 256;
      rgb[o + 1] = (y * 37) % 256;
      rgb[o + 2] = ((x + y) * 23) % 256;
    }
  }
  return rgb;
}

describe('BMP reader', () => {
  it.each(BMP_VARIANTS.map((v) => [v.name, v] as const))('decodes %s to the exact pixels', async (_name, variant) => {
    const bmp = encodeBmp(testPixels(), WIDTH, HEIGHT, variant);
    expect(await probePhoto(bmp.file)).toEqual({ format: 'bmp', width: WIDTH, height: HEIGHT });
    const { data, info } = await (await decodePhoto(bmp.file)).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([WIDTH, HEIGHT, bmp.channels]);
    expect(data.equals(bmp.expected)).toBe(true);
  });

  it('reads the dimensions of a V5 BMP from its first 154 bytes (the import reads no more for a header)', async () => {
    const bmp = encodeBmp(testPixels(), WIDTH, HEIGHT, BMP_VARIANTS.find((v) => v.header === 124) as (typeof BMP_VARIANTS)[number]);
    expect(await probePhoto(bmp.file.subarray(0, 154))).toEqual({ format: 'bmp', width: WIDTH, height: HEIGHT });
  });

  it('calls a BMP cut off in its pixel data truncated', async () => {
    const bmp = encodeBmp(testPixels(), WIDTH, HEIGHT, BMP_VARIANTS[2]);
    const cut = bmp.file.subarray(0, Math.floor(bmp.file.length * 0.6));
    await expect(decodePhoto(cut)).rejects.toThrow(UndecodablePhotoError);
    await expect(decodePhoto(cut)).rejects.toThrow('truncated BMP file: the pixel data is cut off');
  });

  it('refuses an unknown header size in words', async () => {
    const bmp = encodeBmp(testPixels(), WIDTH, HEIGHT, BMP_VARIANTS[2]);
    bmp.file.writeUInt32LE(99, 14);
    await expect(probePhoto(bmp.file)).rejects.toThrow('unknown BMP header (99 bytes)');
  });
});
