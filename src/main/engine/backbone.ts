/** The Backbone shape every model family is wrapped into, and its shared behaviour. */
import * as tf from '@tensorflow/tfjs';
import { preprocessImages, type PreprocessingId } from './preprocessing';

export type PoolMode = 'avg' | 'max';

export interface Backbone {
  /** 'vgg16' | 'vgg19' | 'mobilenet_v2' | 'custom' */
  id: string;
  /** Input side, px. */
  inputSize: number;
  /** Length of the feature vector after global pooling. */
  featureDim: number;
  preprocessing: PreprocessingId;
  /** Stable id of the weights (first 16 hex of a sha256 over the weights files), for feature-cache keys. */
  weightsKey: string;
  /** Conv base without top: [N,S,S,3] preprocessed → [N,h,w,C] (last conv block output). */
  base: tf.LayersModel;
  /** [N,S,S,3] RGB float 0..255 → preprocessed model input. */
  preprocess(x: tf.Tensor4D): tf.Tensor4D;
  /** RGB 0..255 batch → [N, featureDim] globally pooled features. */
  embed(x: tf.Tensor4D, pool?: PoolMode): tf.Tensor2D;
  /** Layers of the last conv block, for fine-tuning. */
  topBlockLayers: string[];
  dispose(): void;
}

export interface BackboneParts {
  id: string;
  inputSize: number;
  preprocessing: PreprocessingId;
  weightsKey: string;
  base: tf.LayersModel;
  topBlockLayers: string[];
  /** Replaces `base.dispose()`, e.g. to dispose the full model a base was cut from (which owns its layers). */
  disposeModel?: () => void;
}

export function makeBackbone(parts: BackboneParts): Backbone {
  const outShape = parts.base.outputs[0].shape;
  const featureDim = outShape[outShape.length - 1];
  if (typeof featureDim !== 'number') throw new Error(`backbone ${parts.id}: feature layer has no static channel count`);
  let disposed = false;
  return {
    id: parts.id,
    inputSize: parts.inputSize,
    featureDim,
    preprocessing: parts.preprocessing,
    weightsKey: parts.weightsKey,
    base: parts.base,
    topBlockLayers: parts.topBlockLayers,
    preprocess: (x) => preprocessImages(x, parts.preprocessing),
    embed: (x, pool = 'avg') => embedWith(parts, x, pool),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      if (parts.disposeModel) parts.disposeModel();
      else parts.base.dispose();
    }
  };
}

function embedWith(parts: BackboneParts, x: tf.Tensor4D, pool: PoolMode): tf.Tensor2D {
  return tf.tidy(() => {
    const features = parts.base.predict(preprocessImages(x, parts.preprocessing)) as tf.Tensor;
    if (features.rank === 2) return features as tf.Tensor2D;
    return (pool === 'max' ? tf.max(features, [1, 2]) : tf.mean(features, [1, 2])) as tf.Tensor2D;
  });
}
