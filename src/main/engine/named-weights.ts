/**
 * Weights read from a file, grouped by layer name, and their strict assignment to a model:
 * every layer with weights must be found with the right shapes, or nothing is assigned.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';

export interface WeightArray {
  /** Name as stored in the file (e.g. "block1_conv1_W_1:0", "block1_conv1/kernel:0"). */
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Layer name → its weights in the file's order (Keras's weight_names order). */
export type NamedWeights = Map<string, WeightArray[]>;

export interface AssignOptions {
  /** Source label for messages, e.g. the file path. */
  source: string;
  /** Layers in the file that the model lacks but may be skipped (a classifier top). */
  skippable?: (layerName: string) => boolean;
}

/** Names of a Keras/TF-Slim classifier top: skipped when restoring a conv base. */
export function isClassifierTop(name: string): boolean {
  return /^(fc\d*|fc_?\d+|predictions|flatten|dense.*|logits|global_.*pool.*|dropout.*)$/i.test(name);
}

/** Canonical short name of a weight: kernel, bias, gamma, beta, moving_mean, moving_variance, depthwise_kernel. */
export function canonicalWeightName(name: string): string {
  let short = name.replace(/:\d+$/, '');
  short = short.slice(short.lastIndexOf('/') + 1);
  if (/_W(_\d+)?$/.test(short)) return 'kernel';
  if (/_b(_\d+)?$/.test(short)) return 'bias';
  return short.replace(/_\d+$/, '');
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.join(',')}]`;
}

/** Orders a layer's file weights like the model's: by canonical name when all match, else by position. */
function orderLike(layer: tf.layers.Layer, found: WeightArray[]): WeightArray[] {
  const wanted = layer.weights.map((w) => canonicalWeightName(w.originalName));
  const byName = new Map(found.map((w) => [canonicalWeightName(w.name), w]));
  const all = wanted.every((n) => byName.has(n));
  return all ? wanted.map((n) => byName.get(n) as WeightArray) : found;
}

/** Checks every layer, then (only if all pass) assigns. Throws WEIGHTS_INVALID naming the layer. */
export function assignWeights(model: tf.LayersModel, weights: NamedWeights, opts: AssignOptions): void {
  const layers = model.layers.filter((l) => l.weights.length > 0);
  const modelNames = new Set(model.layers.map((l) => l.name));
  const extra = [...weights.keys()].filter(
    (n) => !modelNames.has(n) && weights.get(n)!.length > 0 && !(opts.skippable ?? isClassifierTop)(n)
  );
  if (extra.length) {
    throw new AppError(
      'WEIGHTS_INVALID',
      `${opts.source}: the file has layers this backbone does not (${extra.slice(0, 5).join(', ')}); are these weights for another network?`
    );
  }
  const plan: [tf.LayerVariable, WeightArray][] = [];
  for (const layer of layers) {
    const found = weights.get(layer.name);
    if (!found || found.length === 0) {
      throw new AppError(
        'WEIGHTS_INVALID',
        `${opts.source}: layer ${layer.name} is missing from the weights file (expected ${layer.weights.map((w) => `${canonicalWeightName(w.originalName)} ${shapeText(w.shape)}`).join(', ')}).`
      );
    }
    if (found.length !== layer.weights.length) {
      throw new AppError(
        'WEIGHTS_INVALID',
        `${opts.source}: layer ${layer.name} expects ${layer.weights.length} weights, the file has ${found.length} (${found.map((w) => w.name).join(', ')}).`
      );
    }
    orderLike(layer, found).forEach((w, i) => {
      const v = layer.weights[i];
      if (v.shape.length !== w.shape.length || v.shape.some((d, k) => d !== w.shape[k])) {
        throw new AppError(
          'WEIGHTS_INVALID',
          `${opts.source}: layer ${layer.name} ${canonicalWeightName(v.originalName)}: expected shape ${shapeText(v.shape)}, found ${shapeText(w.shape)} (${w.name}).`
        );
      }
      plan.push([v, w]);
    });
  }
  for (const [variable, w] of plan) {
    const value = tf.tensor(w.data, w.shape, 'float32');
    variable.write(value);
    value.dispose();
  }
}
