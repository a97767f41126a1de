/**
 * Run-length encoded BMP pixels (BI_RLE8, BI_RLE4) into palette indices, top row first.
 * RLE bitmaps are always stored bottom-up. Pixels a "delta" or an early end skips stay index 0,
 * as Windows draws them in the first palette colour.
 */
import { UndecodablePhotoError } from './photo-errors';

export function decodeRle(buf: Buffer, offset: number, width: number, height: number, nibbles: boolean): Uint8Array {
  const out = new Uint8Array(width * height);
  let x = 0;
  let row = 0;
  let p = offset;
  const put = (index: number): void => {
    if (x < width && row < height) out[(height - 1 - row) * width + x] = index;
    x++;
  };
  while (row < height) {
    if (p + 1 >= buf.length) throw new UndecodablePhotoError('truncated BMP file: the pixel data is cut off');
    const count = buf[p];
    const value = buf[p + 1];
    p += 2;
    if (count > 0) {
      for (let i = 0; i < count; i++) put(nibbles ? (i % 2 === 0 ? value >> 4 : value & 0x0f) : value);
      continue;
    }
    if (value === 0) {
      x = 0;
      row++;
    } else if (value === 1) {
      break;
    } else if (value === 2) {
      if (p + 1 >= buf.length) throw new UndecodablePhotoError('truncated BMP file: the pixel data is cut off');
      x += buf[p];
      row += buf[p + 1];
      p += 2;
    } else {
      // Absolute run: `value` literal pixels, padded to a whole 16-bit word.
      const bytes = nibbles ? Math.ceil(value / 2) : value;
      if (p + bytes > buf.length) throw new UndecodablePhotoError('truncated BMP file: the pixel data is cut off');
      for (let i = 0; i < value; i++) {
        put(nibbles ? (i % 2 === 0 ? buf[p + (i >> 1)] >> 4 : buf[p + (i >> 1)] & 0x0f) : buf[p + i]);
      }
      p += bytes + (bytes % 2);
    }
  }
  return out;
}
