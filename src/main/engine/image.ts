/** Image pipeline: file → RGB bytes at the backbone's input size → tensor. */
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import { decodePhoto, probePhoto } from '../imaging/decode-photo';
import { photoError } from '../imaging/photo-errors';

/**
 * Decodes with EXIF rotation, resizes so the shorter side is `size`, then center-crops to
 * size×size. An image already size×size is taken as is, so no resampling blurs it. The file
 * is read once (header and pixels from the same buffer); sharp shrinks JPEGs while decoding
 * when the photo is at least twice the size. Every decode in the engine goes through here.
 * Returns RGB bytes, row-major, length size·size·3.
 */
export async function loadImage(file: string, size: number): Promise<Uint8Array> {
  if (!Number.isInteger(size) || size < 1) throw new AppError('INVALID_REQUEST', `Image size must be a positive integer, got ${size}`);
  try {
    // One read: the probe (orientation, size) and the decode share the bytes.
    const bytes = await readFile(file);
    const { width, height } = await probePhoto(bytes);
    const img = await decodePhoto(bytes);
    const pipeline = width === size && height === size ? img : img.resize(size, size, { fit: 'cover', position: 'centre' });
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.width !== size || info.height !== size || info.channels !== 3) {
      throw new Error(`unexpected decoded shape ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('IO_ERROR', `Cannot read image ${file}: ${photoError(err, file).message}`);
  }
}

/** Stacks RGB byte images into a float32 [N,size,size,3] tensor with values 0..255. */
export function imagesToTensor(images: Uint8Array[], size: number): tf.Tensor4D {
  const pixels = size * size * 3;
  const buffer = new Float32Array(images.length * pixels);
  images.forEach((img, i) => {
    if (img.length !== pixels)
      throw new AppError('INVALID_REQUEST', `Image ${i} has ${img.length} bytes, expected ${pixels} (${size}x${size}x3)`);
    buffer.set(img, i * pixels);
  });
  return tf.tensor4d(buffer, [images.length, size, size, 3], 'float32');
}
