/**
 * The one photo decoder. Import (dimensions), thumbnails, training, predictions and export all
 * open photos here, so every format the README promises (jpg, jpeg, png, webp, gif, bmp, tif,
 * tiff) reads the same everywhere: sharp/libvips for all but BMP, our reader for BMP (libvips
 * has no BMP loader). Free of tfjs, so the main process and the import workers can load it.
 */
import { promises as fsp } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { BMP_HEADER_BYTES, decodeBmp, isBmp, readBmpHeader } from './bmp';
import { readJpegHeader } from './jpeg-header';
import type { JpegTraits } from './jpeg-turbo-thumbnail';
import { MissingPhotoError, photoError, UndecodablePhotoError } from './photo-errors';

export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp';

/** Formats libvips names that the app accepts as photos. */
const SHARP_FORMATS = new Set<string>(['jpeg', 'png', 'webp', 'gif', 'tiff']);

export interface PhotoHeader {
  format: PhotoFormat;
  /** Pixels after EXIF orientation is applied. */
  width: number;
  height: number;
  /** For JPEGs: what the thumbnail path needs to know (stored size, orientation, profile, channels). */
  jpeg?: JpegTraits;
}

/** Bytes of a file's start that `probePhoto` needs when it is not given the whole file. */
export const PROBE_HEAD_BYTES = Math.max(BMP_HEADER_BYTES, 64);

/**
 * Reads only the header: format and oriented dimensions. `input` is the whole file in memory
 * or its path. An ordinary JPEG in memory is read in JS (jpeg-header.ts), the rest by libvips.
 * Throws UndecodablePhotoError (with a plain reason) or MissingPhotoError.
 */
export async function probePhoto(input: Buffer | string): Promise<PhotoHeader> {
  const head = typeof input === 'string' ? await readHead(input) : input;
  if (isBmp(head)) {
    const h = readBmpHeader(head);
    return { format: 'bmp', width: h.width, height: h.height };
  }
  const jpeg = typeof input === 'string' ? null : readJpegHeader(input);
  if (jpeg !== null) return orientedHeader('jpeg', jpeg.width, jpeg.height, jpeg);
  let meta: sharp.Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (err) {
    const signed = signatureFormat(head);
    if (signed)
      throw new UndecodablePhotoError(`truncated or damaged ${signed} file: its header cannot be read; copy it again from its source`);
    throw unreadable(err, input);
  }
  if (!SHARP_FORMATS.has(meta.format ?? '')) {
    throw new UndecodablePhotoError(
      `unsupported image format: ${meta.format ?? 'unknown'} (photos can be jpg, png, webp, gif, bmp or tiff)`
    );
  }
  if (!meta.width || !meta.height) throw new UndecodablePhotoError('damaged: the image has no dimensions');
  const traits: JpegTraits | undefined =
    meta.format === 'jpeg'
      ? {
          width: meta.width,
          height: meta.height,
          orientation: meta.orientation ?? 1,
          hasProfile: meta.hasProfile === true,
          channels: meta.channels ?? 0
        }
      : undefined;
  return orientedHeader(meta.format as PhotoFormat, meta.width, meta.height, traits);
}

function orientedHeader(format: PhotoFormat, width: number, height: number, jpeg?: JpegTraits): PhotoHeader {
  // EXIF orientations 5-8 rotate by 90 degrees, so the displayed width is the stored height.
  const swap = (jpeg?.orientation ?? 1) >= 5;
  const header: PhotoHeader = { format, width: swap ? height : width, height: swap ? width : height };
  if (jpeg) header.jpeg = jpeg;
  return header;
}

/**
 * Opens a photo as a sharp pipeline with EXIF rotation applied, ready for resize/raw/jpeg.
 * Truncated or corrupt pixel data rejects when the pipeline runs (toBuffer): pass what it throws
 * to `photoError` for the plain-words reason. BMP is decoded here, so its errors come at once.
 * A file whose first bytes say BMP is read as BMP whatever its extension.
 */
export async function decodePhoto(input: Buffer | string): Promise<Sharp> {
  const label = typeof input === 'string' ? input : 'photo';
  const bmp = typeof input === 'string' ? await readIfBmp(input) : isBmp(input) ? input : null;
  if (bmp !== null) {
    const decoded = decodeBmp(bmp);
    if (decoded.kind === 'embedded') return sharp(decoded.data, { failOn: 'truncated' }).rotate();
    const { width, height, channels, data } = decoded;
    return sharp(data, { raw: { width, height, channels } });
  }
  try {
    return sharp(input, { failOn: 'truncated' }).rotate();
  } catch (err) {
    throw photoError(err, label);
  }
}

/** Decodes `input` fully into a buffer through `shape`, mapping failures to photo errors. */
export async function renderPhoto(input: Buffer | string, shape: (image: Sharp) => Sharp): Promise<Buffer> {
  const label = typeof input === 'string' ? input : 'photo';
  try {
    return await shape(await decodePhoto(input)).toBuffer();
  } catch (err) {
    throw photoError(err, label);
  }
}

async function readHead(file: string): Promise<Buffer> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch (err) {
    throw photoError(err, file);
  }
  try {
    const buf = Buffer.alloc(PROBE_HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The whole file when it starts like a BMP (read once, since BMP is decoded in memory), else null. */
async function readIfBmp(file: string): Promise<Buffer | null> {
  if (!isBmp(await readHead(file))) return null;
  try {
    return await fsp.readFile(file);
  } catch (err) {
    throw photoError(err, file);
  }
}

function unreadable(err: unknown, input: Buffer | string): Error {
  const mapped = photoError(err, typeof input === 'string' ? input : 'photo');
  if (mapped instanceof MissingPhotoError || !(mapped instanceof UndecodablePhotoError)) return mapped;
  return new UndecodablePhotoError('not an image (unrecognised or unsupported format)');
}

/** The format named by a file's magic bytes, for messages about files libvips cannot read. */
function signatureFormat(head: Buffer): string | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'JPEG';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'PNG';
  const ascii = head.subarray(0, 12).toString('latin1');
  if (ascii.startsWith('GIF8')) return 'GIF';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'WebP';
  if (ascii.startsWith('II*\0') || ascii.startsWith('MM\0*')) return 'TIFF';
  return null;
}
