/**
 * The new classifier head for the user's classes, trained on cached base features.
 * 'gap': global-average-pooled features → dropout → dense softmax (size-independent).
 * 'vgg-fc': the VGG top (fc6 4096 → fc7 4096 → fc8) on the unpooled block5 output, fixed input.
 */
import * as tf from '@tensorflow/tfjs';
import type { HeadKind } from './job-types';
import type { Rng } from './rng';

export type { HeadKind };

export interface HeadOptions {
  kind: HeadKind;
  /** Shape of one feature: [featureDim] for 'gap', [h, w, channels] for 'vgg-fc'. */
  featureShape: number[];
  numClasses: number;
  seed: number;
  /** Dropout rate before the output (and between fc layers), 0–1. */
  dropout?: number;
  /** Width of fc6/fc7; 4096 as in VGG, smaller only in tests. */
  fcUnits?: number;
}

export function buildHead(opts: HeadOptions): tf.Sequential {
  const init = (offset: number) => tf.initializers.glorotUniform({ seed: opts.seed + offset });
  const layers: tf.layers.Layer[] = [];
  if (opts.kind === 'gap') {
    layers.push(tf.layers.dropout({ rate: opts.dropout ?? 0.2, inputShape: opts.featureShape, name: 'head_dropout' }));
  } else {
    const units = opts.fcUnits ?? 4096;
    const rate = opts.dropout ?? 0.5;
    layers.push(tf.layers.flatten({ inputShape: opts.featureShape, name: 'flatten' }));
    layers.push(tf.layers.dense({ units, activation: 'relu', name: 'fc6', kernelInitializer: init(1) }));
    layers.push(tf.layers.dropout({ rate, name: 'fc6_dropout' }));
    layers.push(tf.layers.dense({ units, activation: 'relu', name: 'fc7', kernelInitializer: init(2) }));
    layers.push(tf.layers.dropout({ rate, name: 'fc7_dropout' }));
  }
  const outName = opts.kind === 'gap' ? 'head_predictions' : 'fc8';
  layers.push(tf.layers.dense({ units: opts.numClasses, activation: 'softmax', name: outName, kernelInitializer: init(3) }));
  return tf.sequential({ name: 'head', layers });
}

/**
 * Runs the head layer by layer. In training, dropout masks come from the run's seeded RNG:
 * a Dropout layer given a fixed seed would reuse one mask for every batch, and one without a
 * seed is not reproducible.
 */
export function forwardHead(head: tf.Sequential, x: tf.Tensor, training: boolean, rng?: Rng): tf.Tensor2D {
  return tf.tidy(() => {
    let y = x;
    for (const layer of head.layers) {
      if (layer.getClassName() === 'Dropout') {
        if (training && rng) y = seededDropout(y, (layer.getConfig() as { rate: number }).rate, rng);
        continue;
      }
      y = layer.apply(y) as tf.Tensor;
    }
    return y as tf.Tensor2D;
  });
}

function seededDropout(x: tf.Tensor, rate: number, rng: Rng): tf.Tensor {
  if (rate <= 0) return x;
  const keep = tf.randomUniform(x.shape, 0, 1, 'float32', rng.seed()).greaterEqual(rate);
  return x.mul(keep.cast('float32')).div(1 - rate);
}
