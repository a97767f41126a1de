/** Photos decoded at the backbone's input size, as byte arrays and as one tensor. */
import type * as tf from '@tensorflow/tfjs';
import { imagesToTensor, loadImage, type Backbone } from '../index';

/** Decodes photos at the input size for stage 2 and for predicting with a fine-tuned base. */
export async function loadImages(
  backbone: Backbone,
  paths: readonly string[],
  onProgress: (done: number) => void,
  shouldStop: () => boolean
): Promise<Uint8Array[] | null> {
  const out: Uint8Array[] = [];
  for (let start = 0; start < paths.length; start += 16) {
    if (shouldStop()) return null;
    const batch = await Promise.all(paths.slice(start, start + 16).map((p) => loadImage(p, backbone.inputSize)));
    out.push(...batch);
    onProgress(out.length);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

export function imagesTensor(backbone: Backbone, images: Uint8Array[]): tf.Tensor4D {
  return imagesToTensor(images, backbone.inputSize);
}
