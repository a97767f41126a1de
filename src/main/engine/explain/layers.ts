/** The conv layers of a model (the filter gallery's layer picker) and finding one by name. */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { findNestedLayer } from '../tfjs-folder';

/** Layer classes whose output channels are filters worth visualising. */
const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose']);

export interface ConvLayerInfo {
  name: string;
  /** tfjs class name, e.g. 'Conv2D' or 'DepthwiseConv2D'. */
  className: string;
  /** Output channels: the filter indices are 0 … filters − 1. */
  filters: number;
  /** Output height and width at the model's input size, px of the feature map; null when not static. */
  height: number | null;
  width: number | null;
}

/** Output shape of a layer's first application (a shared layer's `outputShape` would throw). */
export function layerOutputShape(layer: tf.layers.Layer): (number | null)[] {
  const node = layer.inboundNodes.find((n) => n.outputTensors.length > 0);
  return node ? node.outputTensors[0].shape : (layer.outputShape as (number | null)[]);
}

/** Conv layers of the model and of the models nested in it, in graph order. */
export function listConvLayers(model: tf.LayersModel): ConvLayerInfo[] {
  const out: ConvLayerInfo[] = [];
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) out.push(...listConvLayers(layer));
    else if (CONV_CLASSES.has(layer.getClassName())) out.push(describe(layer));
  }
  return out;
}

function describe(layer: tf.layers.Layer): ConvLayerInfo {
  const shape = layerOutputShape(layer);
  return {
    name: layer.name,
    className: layer.getClassName(),
    filters: shape[shape.length - 1] ?? 0,
    height: shape.length === 4 ? shape[1] : null,
    width: shape.length === 4 ? shape[2] : null
  };
}

export interface FoundLayer {
  /** The model (possibly nested) whose graph holds the layer; it takes the image. */
  owner: tf.LayersModel;
  layer: tf.layers.Layer;
  /** The layer's output in `owner`'s graph. */
  output: tf.SymbolicTensor;
  /** [height, width, channels] of that output. */
  shape: [number, number, number];
}

/**
 * Finds a layer with a 4-D output (a conv layer or e.g. the activation after it). An unknown
 * name, or one whose output is not a feature map, is an error that lists the conv layers.
 */
export function findFeatureLayer(model: tf.LayersModel, name: string, modelLabel: string): FoundLayer {
  const hit = findNestedLayer(model, name);
  const node = hit?.layer.inboundNodes.find((n) => n.inputTensors.length > 0);
  const output = node?.outputTensors[0];
  const shape = output?.shape;
  if (!hit || !output || !shape || shape.length !== 4 || shape.slice(1).some((d) => d === null)) {
    const what = hit ? `Layer "${name}" of ${modelLabel} has no feature-map output` : `${modelLabel} has no layer named "${name}"`;
    throw new AppError('INVALID_REQUEST', `${what}. Conv layers: ${formatConvLayers(listConvLayers(model))}.`);
  }
  return { owner: hit.owner, layer: hit.layer, output, shape: shape.slice(1) as [number, number, number] };
}

/** "block1_conv1 (64), block1_conv2 (64), …": names with their filter counts. */
export function formatConvLayers(layers: ConvLayerInfo[]): string {
  return layers.length === 0 ? 'none' : layers.map((l) => `${l.name} (${l.filters})`).join(', ');
}
