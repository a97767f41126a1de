import { promises as fsp } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { decodeBmp, isBmp, readBmpHeader } from './bmp';

/** Formats the app accepts as photos (sharp names, plus our own BMP reader). */
const PHOTO_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'bmp']);

export interface ImageHeader {
  format: string;
  /** Pixels after EXIF orientation is applied. */
  width: number;
  height: number;
}

/**
 * Reads only the header: format and oriented dimensions. Throws with a human reason.
 * `input` is the path or, for small files already in memory, the bytes; `head` is the first
 * bytes of the file (at least 54), which is all a BMP header needs.
 */
export async function readImageHeader(input: string | Buffer, head: Buffer): Promise<ImageHeader> {
  if (isBmp(head)) {
    const h = readBmpHeader(head);
    return { format: 'bmp', width: h.width, height: h.height };
  }
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch {
    throw new Error('not an image (unrecognised or unsupported format)');
  }
  if (!PHOTO_FORMATS.has(meta.format ?? '')) throw new Error(`unsupported image format: ${meta.format ?? 'unknown'}`);
  if (!meta.width || !meta.height) throw new Error('image has no dimensions');
  // EXIF orientations 5-8 rotate by 90 degrees, so the displayed width is the stored height.
  const swap = (meta.orientation ?? 1) >= 5;
  return { format: meta.format as string, width: swap ? meta.height : meta.width, height: swap ? meta.width : meta.height };
}

/**
 * A sharp pipeline over the photo, EXIF rotation applied. Truncated or corrupt data makes the
 * later toBuffer/toFile reject; minor warnings (extraneous bytes) are tolerated as browsers do.
 * BMP is recognised by extension (then by its magic bytes), so other photos are opened once.
 */
export async function openImage(file: string): Promise<Sharp> {
  if (/\.bmp$/i.test(file)) {
    const data = await fsp.readFile(file);
    if (isBmp(data)) {
      const bmp = decodeBmp(data);
      return sharp(bmp.data, { raw: { width: bmp.width, height: bmp.height, channels: bmp.channels } });
    }
    return sharp(data, { failOn: 'truncated' }).rotate();
  }
  return sharp(file, { failOn: 'truncated' }).rotate();
}
