/**
 * Writes BMP files in every layout the decoder claims to read (header versions, bit depths, row
 * order, bit fields, RLE), from RGB pixels, and says which pixels a correct decoder must return.
 * Written from the format's documentation (Microsoft's BITMAPINFOHEADER family, OS/2 core).
 */
export type BmpHeaderSize = 12 | 40 | 52 | 56 | 108 | 124;

export interface BmpVariant {
  name: string;
  header: BmpHeaderSize;
  bpp: 1 | 4 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** BI_BITFIELDS with these masks (16/32 bpp). */
  masks?: [number, number, number, number];
  rle?: boolean;
}

export const BMP_VARIANTS: BmpVariant[] = [
  { name: 'os2-core-24', header: 12, bpp: 24 },
  { name: 'os2-core-8', header: 12, bpp: 8 },
  { name: 'info-24', header: 40, bpp: 24 },
  { name: 'info-24-topdown', header: 40, bpp: 24, topDown: true },
  { name: 'info-1', header: 40, bpp: 1 },
  { name: 'info-4', header: 40, bpp: 4 },
  { name: 'info-8', header: 40, bpp: 8 },
  { name: 'info-rle8', header: 40, bpp: 8, rle: true },
  { name: 'info-rle4', header: 40, bpp: 4, rle: true },
  { name: 'info-16-555', header: 40, bpp: 16 },
  { name: 'info-16-565-bitfields', header: 40, bpp: 16, masks: [0xf800, 0x07e0, 0x001f, 0] },
  { name: 'info-32', header: 40, bpp: 32 },
  { name: 'info-32-bitfields', header: 40, bpp: 32, masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0] },
  { name: 'v2-32-bitfields', header: 52, bpp: 32, masks: [0x0000ff00, 0x00ff0000, 0xff000000, 0] },
  { name: 'v3-32-alpha', header: 56, bpp: 32, masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000] },
  { name: 'v4-24', header: 108, bpp: 24 },
  { name: 'v5-24', header: 124, bpp: 24 },
  { name: 'v5-32-alpha-topdown', header: 124, bpp: 32, topDown: true, masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000] }
];

export interface EncodedBmp {
  file: Buffer;
  /** What the decoder must produce, row-major from the top: RGB, or RGBA when `channels` is 4. */
  expected: Buffer;
  channels: 3 | 4;
}

/** Encodes `rgb` (width×height×3, top row first) as the given variant. */
export function encodeBmp(rgb: Buffer, width: number, height: number, v: BmpVariant): EncodedBmp {
  const paletted = v.bpp <= 8;
  const palette = paletted ? makePalette(v.bpp) : [];
  const indices = paletted ? rgbToIndices(rgb, palette) : null;
  const alpha = v.masks?.[3] ? (i: number): number => (i % 3 === 0 ? 128 : 255) : null;
  const expected = expectedPixels(rgb, v, palette, indices, alpha);
  const pixels = v.rle ? rleEncode(indices as Uint8Array, width, height, v.bpp === 4) : packRows(rgb, width, height, v, indices, alpha);
  const maskBytes = v.header === 40 && v.masks ? 12 : 0;
  const entry = v.header === 12 ? 3 : 4;
  const offset = 14 + v.header + maskBytes + palette.length * entry;
  const file = Buffer.alloc(offset + pixels.length);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(offset, 10);
  writeInfo(file, v, width, height, pixels.length, palette.length);
  palette.forEach(([r, g, b], i) => {
    const at = 14 + v.header + maskBytes + i * entry;
    file[at] = b;
    file[at + 1] = g;
    file[at + 2] = r;
  });
  pixels.copy(file, offset);
  return { file, expected, channels: alpha ? 4 : 3 };
}

function writeInfo(file: Buffer, v: BmpVariant, width: number, height: number, dataSize: number, colors: number): void {
  file.writeUInt32LE(v.header, 14);
  if (v.header === 12) {
    file.writeUInt16LE(width, 18);
    file.writeUInt16LE(height, 20);
    file.writeUInt16LE(1, 22);
    file.writeUInt16LE(v.bpp, 24);
    return;
  }
  file.writeInt32LE(width, 18);
  file.writeInt32LE(v.topDown ? -height : height, 22);
  file.writeUInt16LE(1, 26);
  file.writeUInt16LE(v.bpp, 28);
  const compression = v.rle ? (v.bpp === 8 ? 1 : 2) : v.masks ? 3 : 0;
  file.writeUInt32LE(compression, 30);
  file.writeUInt32LE(dataSize, 34);
  file.writeUInt32LE(2835, 38);
  file.writeUInt32LE(2835, 42);
  file.writeUInt32LE(colors, 46);
  if (v.masks) {
    const count = v.header === 40 || v.header === 52 ? 3 : 4;
    for (let i = 0; i < count; i++) file.writeUInt32LE(v.masks[i] >>> 0, 54 + i * 4);
  }
  if (v.header >= 108) file.write('BGRs', 70, 'latin1');
}

function makePalette(bpp: number): Array<[number, number, number]> {
  if (bpp === 1)
    return [
      [10, 20, 30],
      [240, 230, 220]
    ];
  if (bpp === 4)
    return Array.from(
      { length: 16 },
      (_, i) => [(i & 1) * 255, ((i >> 1) & 1) * 255, ((i >> 2) & 1) * 200 + (i >> 3) * 55] as [number, number, number]
    );
  return Array.from(
    { length: 256 },
    (_, i) =>
      [Math.round(((i >> 5) * 255) / 7), Math.round((((i >> 2) & 7) * 255) / 7), Math.round(((i & 3) * 255) / 3)] as [
        number,
        number,
        number
      ]
  );
}

function rgbToIndices(rgb: Buffer, palette: Array<[number, number, number]>): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let p = 0; p < out.length; p++) {
    let best = 0;
    let bestDist = Infinity;
    palette.forEach(([r, g, b], i) => {
      const d = (rgb[p * 3] - r) ** 2 + (rgb[p * 3 + 1] - g) ** 2 + (rgb[p * 3 + 2] - b) ** 2;
      if (d < bestDist) {
        bestDist = d;
        best = i;
      }
    });
    out[p] = best;
  }
  return out;
}

function expectedPixels(
  rgb: Buffer,
  v: BmpVariant,
  palette: Array<[number, number, number]>,
  indices: Uint8Array | null,
  alpha: ((i: number) => number) | null
): Buffer {
  const n = rgb.length / 3;
  const channels = alpha ? 4 : 3;
  const out = Buffer.alloc(n * channels);
  for (let p = 0; p < n; p++) {
    const color = indices ? palette[indices[p]] : [0, 1, 2].map((c) => quantise(rgb[p * 3 + c], v, c));
    for (let c = 0; c < 3; c++) out[p * channels + c] = color[c];
    if (alpha) out[p * channels + 3] = alpha(p);
  }
  return out;
}

/** The value a channel keeps after packing into `v`'s bits and reading back. */
function quantise(value: number, v: BmpVariant, channel: number): number {
  if (v.bpp !== 16) return value;
  const bits = v.masks ? [5, 6, 5][channel] : 5;
  const max = (1 << bits) - 1;
  return Math.round((Math.round((value * max) / 255) * 255) / max);
}

function packRows(
  rgb: Buffer,
  width: number,
  height: number,
  v: BmpVariant,
  indices: Uint8Array | null,
  alpha: ((i: number) => number) | null
): Buffer {
  const stride = Math.ceil((width * v.bpp) / 32) * 4;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const row = (v.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (indices) {
        const perByte = 8 / v.bpp;
        const shift = 8 - v.bpp * ((x % perByte) + 1);
        out[row + Math.floor(x / perByte)] |= indices[p] << shift;
        continue;
      }
      const value = packPixel(rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2], alpha ? alpha(p) : 0, v);
      out.writeUIntLE(value >>> 0, row + x * (v.bpp / 8), v.bpp / 8);
    }
  }
  return out;
}

function packPixel(r: number, g: number, b: number, a: number, v: BmpVariant): number {
  const masks = v.masks ?? (v.bpp === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0x00ff00, 0x0000ff, 0]);
  let value = 0;
  [r, g, b, a].forEach((c, i) => {
    const mask = masks[i] >>> 0;
    if (mask === 0) return;
    let shift = 0;
    while (((mask >>> shift) & 1) === 0) shift++;
    const max = mask >>> shift;
    value += Math.round((c * max) / 255) * 2 ** shift;
  });
  return value;
}

/** RLE8/RLE4 with encoded runs only (plus end-of-line and end-of-bitmap), bottom-up. */
function rleEncode(indices: Uint8Array, width: number, height: number, nibbles: boolean): Buffer {
  const bytes: number[] = [];
  for (let y = height - 1; y >= 0; y--) {
    let x = 0;
    while (x < width) {
      const value = indices[y * width + x];
      let run = 1;
      while (x + run < width && run < 255 && indices[y * width + x + run] === value) run++;
      bytes.push(run, nibbles ? (value << 4) | value : value);
      x += run;
    }
    bytes.push(0, 0);
  }
  bytes.push(0, 1);
  return Buffer.from(bytes);
}
