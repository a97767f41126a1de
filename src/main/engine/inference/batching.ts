/**
 * Batch sizes for frozen forward passes. Throughput per photo barely changes with the batch on
 * a CPU (measured flat from 1 to 8 photos for both VGG16 and MobileNetV2), while memory grows
 * with it, so the batch is what keeps the largest activation of a batch near a fixed budget.
 */
import type * as tf from '@tensorflow/tfjs';

/** Bytes the largest activation of one batch may take (ONNX Runtime keeps a few alive). */
const ACTIVATION_BUDGET = 64 * 1024 ** 2;
const MAX_BATCH = 16;

/** Largest layer output of one image, bytes (float32). */
export function largestActivationBytes(model: tf.LayersModel): number {
  let largest = 0;
  const visit = (m: tf.LayersModel) => {
    for (const layer of m.layers) {
      if ('layers' in layer && Array.isArray((layer as tf.LayersModel).layers)) visit(layer as tf.LayersModel);
      // Per inbound node: a layer applied twice (the multi-scale classifier's base) has one output shape per use.
      const list = layer.inboundNodes.flatMap((n) =>
        Array.isArray(n.outputShapes[0]) ? (n.outputShapes as (number | null)[][]) : [n.outputShapes as (number | null)[]]
      );
      for (const s of list) largest = Math.max(largest, s.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1) * 4);
    }
  };
  visit(model);
  return largest;
}

/** Photos per batch so that `views` images each stay within the activation budget. */
export function throughputBatchSize(model: tf.LayersModel, views: 1 | 2): number {
  const perPhoto = Math.max(1, largestActivationBytes(model) * views);
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(ACTIVATION_BUDGET / perPhoto)));
}

/** Batches to decode ahead so that about `inFlight` photos are being decoded at any time. */
export function decodeAheadFor(batchSize: number, inFlight = 8): number {
  return Math.max(1, Math.ceil(inFlight / batchSize));
}
