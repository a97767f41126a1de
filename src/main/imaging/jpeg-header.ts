/**
 * Reads what the import needs from a JPEG's header segments (size, components, EXIF orientation,
 * whether an ICC profile is embedded) in plain JS, without a round trip through libvips: at
 * hundreds of photos a second that round trip is a measurable share of the import. Anything
 * unusual (no SOF before the data, a lossless or hierarchical frame, a malformed segment) gives
 * null, and the caller asks sharp, whose answer (or error) is authoritative.
 */

export interface JpegHeader {
  /** Stored size, px (before EXIF orientation). */
  width: number;
  height: number;
  /** 1 greyscale, 3 YCbCr, 4 CMYK/YCCK. */
  channels: number;
  /** EXIF orientation 1–8 (1 when absent or out of range). */
  orientation: number;
  hasProfile: boolean;
}

/** Baseline, extended and progressive Huffman frames: what libjpeg-turbo and libvips both read. */
const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2]);
const ICC_SIGNATURE = 'ICC_PROFILE\0';

export function readJpegHeader(bytes: Uint8Array): JpegHeader | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let orientation = 1;
  let hasProfile = false;
  let p = 2;
  while (p + 4 <= bytes.length) {
    if (bytes[p] !== 0xff) return null;
    const marker = bytes[p + 1];
    if (marker === 0xff) {
      p++; // fill byte
      continue;
    }
    const length = (bytes[p + 2] << 8) | bytes[p + 3];
    const start = p + 4;
    const end = p + 2 + length;
    if (length < 2 || end > bytes.length) return null;
    if (SOF_MARKERS.has(marker)) return frameHeader(bytes, start, end, orientation, hasProfile);
    if (marker === 0xe1 && orientation === 1) orientation = exifOrientation(bytes, start, end);
    else if (marker === 0xe2 && latin1(bytes, start, ICC_SIGNATURE.length) === ICC_SIGNATURE) hasProfile = true;
    else if (marker === 0xda || (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)) return null;
    p = end;
  }
  return null;
}

function frameHeader(bytes: Uint8Array, start: number, end: number, orientation: number, hasProfile: boolean): JpegHeader | null {
  if (end - start < 6 || bytes[start] !== 8) return null;
  const height = (bytes[start + 1] << 8) | bytes[start + 2];
  const width = (bytes[start + 3] << 8) | bytes[start + 4];
  const channels = bytes[start + 5];
  if (width === 0 || height === 0 || (channels !== 1 && channels !== 3 && channels !== 4)) return null;
  return { width, height, channels, orientation, hasProfile };
}

/** The Orientation tag (0x0112) of IFD0 in an APP1 Exif segment; 1 when absent or invalid. */
function exifOrientation(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < 14 || latin1(bytes, start, 6) !== 'Exif\0\0') return 1;
  const tiff = start + 6;
  const order = latin1(bytes, tiff, 2);
  if (order !== 'II' && order !== 'MM') return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = order === 'II';
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return 1;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return 1;
    if (view.getUint16(entry, little) !== 0x0112) continue;
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

function latin1(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}
