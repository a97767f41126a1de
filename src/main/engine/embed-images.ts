/** Features of image files through a backbone, a batch at a time: what the CLI's `embed` prints. */
import * as tf from '@tensorflow/tfjs';
import type { Backbone, PoolMode } from './backbone';
import { featureMaps } from './backbone';
import { imagesToTensor, loadImage } from './image';

export interface EmbeddingRow {
  /** Shape of one image's features: [C] pooled, [h, w, C] with pool 'none'. */
  shape: number[];
  data: Float32Array;
}

/** Time spent decoding and in forward passes, ms; added to by every batch. */
export interface EmbedClock {
  decodeMs: number;
  inferMs: number;
}

/** One forward pass over `files` (decoded at the backbone's input size); every tensor is disposed. */
export async function embedImages(
  backbone: Backbone,
  files: string[],
  pool: PoolMode | 'none',
  clock: EmbedClock
): Promise<EmbeddingRow[]> {
  const td = performance.now();
  const pixels = await Promise.all(files.map((f) => loadImage(f, backbone.inputSize)));
  const ti = performance.now();
  clock.decodeMs += ti - td;
  const x = imagesToTensor(pixels, backbone.inputSize);
  const out = pool === 'none' ? featureMaps(backbone, x) : backbone.embed(x, pool);
  try {
    const data = (await out.data()) as Float32Array;
    clock.inferMs += performance.now() - ti;
    const shape = out.shape.slice(1);
    const per = shape.reduce((a, b) => a * b, 1);
    return files.map((_, k) => ({ shape, data: data.subarray(k * per, (k + 1) * per) }));
  } finally {
    tf.dispose([x, out]);
  }
}
