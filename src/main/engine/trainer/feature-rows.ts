/** Feature rows as the head sees them: their shape, and stacked into tensors. */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { Backbone } from '../backbone';

/** Shape of one feature row as the head sees it: [C] pooled or [h, w, C] unpooled. */
export function featureShape(backbone: Backbone, pooled: boolean): number[] {
  const shape = backbone.base.outputs[0].shape.slice(1) as number[];
  if (shape.some((d) => typeof d !== 'number'))
    throw new AppError('UNSUPPORTED', `Backbone ${backbone.id} has no static output shape at ${backbone.inputSize} px`);
  return pooled ? [shape[shape.length - 1]] : shape;
}

/**
 * Stacks one view of each feature row into a tensor [N, ...shape]: view 0 is the photo, view 1
 * its mirror image when the row holds both ('avg-flip'); a single-view row serves both views.
 */
export function stackFeatures(rows: readonly Float32Array[], shape: number[], view: 0 | 1 = 0): tf.Tensor {
  const dim = shape.reduce((a, b) => a * b, 1);
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    const offset = row.length >= 2 * dim ? view * dim : 0;
    flat.set(row.subarray(offset, offset + dim), i * dim);
  });
  return tf.tensor(flat, [rows.length, ...shape], 'float32');
}
