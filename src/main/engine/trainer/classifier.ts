/**
 * The whole classifier as one layers-model: preprocessed image → frozen (or partly unfrozen)
 * base → global average pooling (for the 'gap' head) → head → probabilities. Stage 2 trains
 * it, and it is what gets saved, so a saved model predicts from images without this app.
 */
import * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../index';
import { resizeImages } from '../resize-layers';
import type { HeadKind } from './head';

/**
 * `scales` (px, ascending, the largest the backbone's input size): with more than one, the
 * multi-scale classifier — the photo at the input size, resized in the graph to each smaller
 * scale, each through the same base and pooled, the pooled features concatenated smallest first
 * (as multi-scale.ts lays out the rows the head learned on).
 */
export function buildClassifier(
  backbone: Backbone,
  head: tf.Sequential,
  kind: HeadKind,
  scales: readonly number[] = [backbone.inputSize]
): tf.LayersModel {
  const size = backbone.inputSize;
  const input = tf.input({ shape: [size, size, 3], name: 'image' });
  let features: tf.SymbolicTensor;
  if (scales.length > 1) {
    const pooled = scales.map((s) => {
      const x = s === size ? input : resizeImages(input, size, s, `resize_${s}`);
      return tf.layers.globalAveragePooling2d({ name: `features_gap_${s}` }).apply(backbone.base.apply(x)) as tf.SymbolicTensor;
    });
    features = tf.layers.concatenate({ axis: -1, name: 'features_multi_scale' }).apply(pooled) as tf.SymbolicTensor;
  } else {
    features = backbone.base.apply(input) as tf.SymbolicTensor;
    if (kind === 'gap' && features.shape.length === 4) {
      features = tf.layers.globalAveragePooling2d({ name: 'features_gap' }).apply(features) as tf.SymbolicTensor;
    }
  }
  const probs = head.apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'classifier' });
}

/**
 * Releases the references the classifier took on the base and the head. Applying a nested
 * model symbolically increments its ref count, and LayersModel.dispose() on the classifier would
 * then dispose them twice (as a layer and as an internal container) and break backbone.dispose().
 * After this, backbone.dispose() and head.dispose() free every weight exactly once. `scales`:
 * how many scales the classifier was built with.
 */
export function releaseClassifier(backbone: Backbone, head: tf.Sequential, scales = 1): void {
  // Once per application: a multi-scale classifier applies the base once per scale.
  for (let i = 0; i < scales; i++) backbone.base.dispose();
  head.dispose();
}

/**
 * Freezes the base except the named top-block layers. Setting `trainable` on the nested base
 * model cascades to all its layers, so it is turned on first and then narrowed per layer.
 */
export function unfreezeTopBlock(backbone: Backbone): string[] {
  const wanted = new Set(backbone.topBlockLayers);
  backbone.base.trainable = true;
  const unfrozen: string[] = [];
  for (const layer of backbone.base.layers) {
    layer.trainable = wanted.has(layer.name);
    if (layer.trainable) unfrozen.push(layer.name);
  }
  return unfrozen;
}

export function freezeBase(backbone: Backbone): void {
  backbone.base.trainable = false;
}

/** Probabilities from cached features through the head alone (stage 1 only). */
export async function predictFeatures(head: tf.Sequential, x: tf.Tensor, batchSize: number): Promise<Float32Array> {
  const n = x.shape[0];
  const parts: Float32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const probs = tf.tidy(() => head.predict(x.slice(start, Math.min(batchSize, n - start))) as tf.Tensor2D);
    parts.push((await probs.data()) as Float32Array);
    probs.dispose();
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
