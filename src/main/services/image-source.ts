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
    // A photo whose header is cut off or damaged still starts with its format's signature.
    const signed = signatureFormat(head);
    throw new Error(signed ? `corrupt image: truncated or damaged ${signed} file` : 'not an image (unrecognised or unsupported format)');
  }
  if (!PHOTO_FORMATS.has(meta.format ?? '')) throw new Error(`unsupported image format: ${meta.format ?? 'unknown'}`);
  if (!meta.width || !meta.height) throw new Error('image has no dimensions');
  // EXIF orientations 5-8 rotate by 90 degrees, so the displayed width is the stored height.
  const swap = (meta.orientation ?? 1) >= 5;
  return { format: meta.format as string, width: swap ? meta.height : meta.width, height: swap ? meta.width : meta.height };
}

/** The format named by a file's magic bytes, for messages about files sharp cannot read. */
function signatureFormat(head: Buffer): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'PNG';
  const ascii = head.subarray(0, 12).toString('latin1');
  if (ascii.startsWith('GIF8')) return 'GIF';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'WebP';
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'TIFF';
  return null;
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
