/**
 * Windows and OS/2 BMP reader. sharp's prebuilt libvips has no BMP loader, and no npm decoder
 * covers every header version (bmp-ts lacks the 12-byte OS/2 core header, decode-bmp lacks
 * top-down rows, bit fields and 16 bpp), so BMP is decoded here into raw pixels sharp accepts.
 * Covers every header version (12-byte core, 16–64-byte OS/2 2.x, 40 info, 52/56 v2/v3, 108 v4,
 * 124 v5), 1/4/8/16/24/32 bpp, bottom-up and top-down rows, BI_BITFIELDS / BI_ALPHABITFIELDS,
 * RLE8/RLE4, and a JPEG or PNG embedded as a BMP (compression 4/5, handed back to the caller).
 */
import { decodeRle } from './bmp-rle';
import { UndecodablePhotoError } from './photo-errors';

export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: number;
  dataOffset: number;
  headerSize: number;
  topDown: boolean;
  /** Bytes of the pixel data as the header states it (0 for uncompressed files is allowed). */
  imageSize: number;
  colorsUsed: number;
}

/** Decoded pixels: RGB, or RGBA when the file carries a real alpha channel. */
export interface BmpPixels {
  kind: 'pixels';
  width: number;
  height: number;
  channels: 3 | 4;
  data: Buffer;
}

/** A JPEG or PNG stored inside a BMP container: the caller decodes these bytes as that format. */
export interface BmpEmbedded {
  kind: 'embedded';
  data: Buffer;
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;
/** Same ceiling as sharp's default limitInputPixels: a bigger header is a damaged header. */
const MAX_PIXELS = 0x3fff * 0x3fff;

/** Bytes a reader needs to see the whole header of any version (file header + v5 + masks). */
export const BMP_HEADER_BYTES = 14 + 124 + 16;

export function isBmp(buf: Buffer): boolean {
  return buf.length >= 18 && buf[0] === 0x42 && buf[1] === 0x4d;
}

export function readBmpHeader(buf: Buffer): BmpHeader {
  if (!isBmp(buf)) throw new UndecodablePhotoError('not a BMP file');
  const headerSize = buf.readUInt32LE(14);
  // 12: OS/2 core; 16–64: info (40), v2 (52), v3 (56) and OS/2 2.x (which may stop early); v4; v5.
  const known = headerSize === 12 || (headerSize >= 16 && headerSize <= 64) || headerSize === 108 || headerSize === 124;
  if (!known) throw new UndecodablePhotoError(`unknown BMP header (${headerSize} bytes)`);
  if (buf.length < 14 + headerSize) throw new UndecodablePhotoError('truncated BMP file: the header is cut off');
  const header = headerSize === 12 ? coreHeader(buf) : infoHeader(buf, headerSize);
  if (header.width <= 0 || header.height <= 0 || header.width * header.height > MAX_PIXELS) {
    throw new UndecodablePhotoError(`invalid BMP dimensions ${header.width}×${header.height}`);
  }
  if (![1, 2, 4, 8, 16, 24, 32].includes(header.bitsPerPixel))
    throw new UndecodablePhotoError(`unsupported BMP colour depth (${header.bitsPerPixel} bits)`);
  return header;
}

function coreHeader(buf: Buffer): BmpHeader {
  const base = { compression: BI_RGB, dataOffset: buf.readUInt32LE(10), headerSize: 12, topDown: false, imageSize: 0, colorsUsed: 0 };
  return { ...base, width: buf.readUInt16LE(18), height: buf.readUInt16LE(20), bitsPerPixel: buf.readUInt16LE(24) };
}

/** The 40-byte info header and everything that extends it (OS/2 2.x headers may stop early). */
function infoHeader(buf: Buffer, headerSize: number): BmpHeader {
  const field = (offset: number): number => (offset + 4 <= 14 + headerSize ? buf.readUInt32LE(offset) : 0);
  const rawHeight = buf.readInt32LE(22);
  return {
    width: buf.readInt32LE(18),
    height: Math.abs(rawHeight),
    bitsPerPixel: buf.readUInt16LE(28),
    compression: field(30),
    dataOffset: buf.readUInt32LE(10),
    headerSize,
    topDown: rawHeight < 0,
    imageSize: field(34),
    colorsUsed: field(46)
  };
}

/** Decodes a whole BMP file held in memory. Throws UndecodablePhotoError with a reason a person can act on. */
export function decodeBmp(buf: Buffer): BmpPixels | BmpEmbedded {
  const h = readBmpHeader(buf);
  if (h.compression === BI_JPEG || h.compression === BI_PNG) {
    const end = h.imageSize > 0 ? h.dataOffset + h.imageSize : buf.length;
    if (end > buf.length) throw new UndecodablePhotoError('truncated BMP file: the pixel data is cut off');
    return { kind: 'embedded', data: buf.subarray(h.dataOffset, end) };
  }
  const rgba = Buffer.alloc(h.width * h.height * 4);
  if (h.compression === BI_RLE8 || h.compression === BI_RLE4) {
    if ((h.compression === BI_RLE8 && h.bitsPerPixel !== 8) || (h.compression === BI_RLE4 && h.bitsPerPixel !== 4)) {
      throw new UndecodablePhotoError(`damaged BMP header (RLE with ${h.bitsPerPixel} bits per pixel)`);
    }
    const indices = decodeRle(buf, h.dataOffset, h.width, h.height, h.compression === BI_RLE4);
    paletteToRgba(indices, readPalette(buf, h), rgba);
    return finish(h, rgba, false);
  }
  if (h.compression !== BI_RGB && h.compression !== BI_BITFIELDS && h.compression !== BI_ALPHABITFIELDS) {
    throw new UndecodablePhotoError(`unsupported BMP compression (${h.compression})`);
  }
  const stride = Math.ceil((h.width * h.bitsPerPixel) / 32) * 4;
  if (h.dataOffset + stride * h.height > buf.length) throw new UndecodablePhotoError('truncated BMP file: the pixel data is cut off');
  if (h.bitsPerPixel <= 8) {
    paletteToRgba(unpackIndices(buf, h, stride), readPalette(buf, h), rgba);
    return finish(h, rgba, false);
  }
  const masks = channelMasks(buf, h);
  readMaskedPixels(buf, h, stride, masks, rgba);
  return finish(h, rgba, masks[3] !== 0);
}

function readPalette(buf: Buffer, h: BmpHeader): Buffer {
  const entry = h.headerSize === 12 ? 3 : 4;
  let start = 14 + h.headerSize;
  if (h.headerSize === 40 && h.compression === BI_BITFIELDS) start += 12;
  if (h.headerSize === 40 && h.compression === BI_ALPHABITFIELDS) start += 16;
  const count = h.colorsUsed > 0 && h.colorsUsed <= 256 ? h.colorsUsed : 1 << h.bitsPerPixel;
  // Some writers declare more colours than fit before the pixels; use what is there.
  const available = Math.min(count, Math.floor((Math.min(h.dataOffset, buf.length) - start) / entry));
  if (available <= 0) throw new UndecodablePhotoError('damaged BMP file: the colour palette is missing');
  const palette = Buffer.alloc(256 * 3);
  for (let i = 0; i < available; i++) {
    const p = start + i * entry;
    palette[i * 3] = buf[p + 2];
    palette[i * 3 + 1] = buf[p + 1];
    palette[i * 3 + 2] = buf[p];
  }
  return palette;
}

/** Palette indices of a 1/2/4/8 bpp image, top row first. */
function unpackIndices(buf: Buffer, h: BmpHeader, stride: number): Uint8Array {
  const out = new Uint8Array(h.width * h.height);
  const bits = h.bitsPerPixel;
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  for (let y = 0; y < h.height; y++) {
    const row = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) {
      const byte = buf[row + Math.floor(x / perByte)];
      const shift = 8 - bits * ((x % perByte) + 1);
      out[y * h.width + x] = (byte >> shift) & mask;
    }
  }
  return out;
}

function paletteToRgba(indices: Uint8Array, palette: Buffer, rgba: Buffer): void {
  for (let i = 0; i < indices.length; i++) {
    const p = indices[i] * 3;
    rgba[i * 4] = palette[p];
    rgba[i * 4 + 1] = palette[p + 1];
    rgba[i * 4 + 2] = palette[p + 2];
    rgba[i * 4 + 3] = 255;
  }
}

/** Red, green, blue and alpha masks: from the header (v2+), after it (40-byte + bit fields), or the defaults. */
function channelMasks(buf: Buffer, h: BmpHeader): [number, number, number, number] {
  const fields = h.compression === BI_BITFIELDS || h.compression === BI_ALPHABITFIELDS;
  if (!fields) {
    if (h.bitsPerPixel === 16) return [0x7c00, 0x03e0, 0x001f, 0];
    return [0xff0000, 0x00ff00, 0x0000ff, alphaMaskOfV3(buf, h)];
  }
  const at = 14 + 40;
  const count = h.compression === BI_ALPHABITFIELDS || h.headerSize >= 56 ? 4 : 3;
  if (at + count * 4 > buf.length) throw new UndecodablePhotoError('truncated BMP file: the colour masks are cut off');
  const read = (i: number): number => (i < count ? buf.readUInt32LE(at + i * 4) : 0);
  return [read(0), read(1), read(2), read(3)];
}

/** A v3+ header may declare an alpha mask for uncompressed 32-bit pixels. */
function alphaMaskOfV3(buf: Buffer, h: BmpHeader): number {
  return h.bitsPerPixel === 32 && h.headerSize >= 56 ? buf.readUInt32LE(14 + 52) : 0;
}

function readMaskedPixels(buf: Buffer, h: BmpHeader, stride: number, masks: number[], rgba: Buffer): void {
  const channels = masks.map(maskShape);
  const bytes = h.bitsPerPixel / 8;
  for (let y = 0; y < h.height; y++) {
    const row = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) {
      const at = row + x * bytes;
      const px = bytes === 2 ? buf.readUInt16LE(at) : bytes === 3 ? buf.readUIntLE(at, 3) : buf.readUInt32LE(at);
      const o = (y * h.width + x) * 4;
      for (let c = 0; c < 4; c++) {
        const { mask, shift, max } = channels[c];
        rgba[o + c] = max === 0 ? 255 : Math.round((((px & mask) >>> shift) * 255) / max);
      }
    }
  }
}

function maskShape(mask: number): { mask: number; shift: number; max: number } {
  const m = mask >>> 0;
  if (m === 0) return { mask: 0, shift: 0, max: 0 };
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift++;
  return { mask: m, shift, max: m >>> shift };
}

/**
 * Alpha is kept only when it says something: many writers leave the alpha byte 0 everywhere,
 * which means "not used", not "fully transparent".
 */
function finish(h: BmpHeader, rgba: Buffer, hasAlphaMask: boolean): BmpPixels {
  let meaningful = false;
  if (hasAlphaMask) {
    for (let i = 3; i < rgba.length; i += 4) {
      if (rgba[i] !== 0) {
        meaningful = true;
        break;
      }
    }
  }
  if (meaningful) return { kind: 'pixels', width: h.width, height: h.height, channels: 4, data: rgba };
  const rgb = Buffer.alloc(h.width * h.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return { kind: 'pixels', width: h.width, height: h.height, channels: 3, data: rgb };
}
