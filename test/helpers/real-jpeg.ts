/** Real JPEGs for the imaging tests: a hymenoptera photo at the size and with the EXIF a test needs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const PHOTO = path.resolve(import.meta.dirname, '../../../shared/datasets/hymenoptera/train/ants/0013035.jpg');

/** A real photo at `width`×`height`, as a camera or a download would give it. */
export async function realPhoto(
  width: number,
  height: number,
  options: { progressive?: boolean; orientation?: number } = {}
): Promise<Buffer> {
  const image = sharp(readFileSync(PHOTO)).resize(width, height, { fit: 'fill' });
  const jpeg = await image.jpeg({ quality: 88, progressive: options.progressive ?? false }).toBuffer();
  return options.orientation ? withExifOrientation(jpeg, options.orientation) : jpeg;
}

/**
 * The JPEG with a camera-style EXIF segment holding only an Orientation tag (sharp's own
 * `withMetadata` would embed an ICC profile too, which sends a photo down the sharp path).
 */
export function withExifOrientation(jpeg: Buffer, orientation: number): Buffer {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const segment = Buffer.concat([Buffer.from([0xff, 0xe1, 0, payload.length + 2]), payload]);
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
}
