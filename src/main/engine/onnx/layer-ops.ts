/**
 * One tfjs layer → IR nodes, by layer kind. Each converter reads the layer's own config
 * (validated) and weights, and works out padding the way tfjs does (backend_util), so the two
 * runtimes cannot disagree on 'same'. A kind not listed here is an UnsupportedLayerError.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { canonicalWeightName } from '../named-weights';
import type { ActivationFn, IrBuilder, Pads } from './ir';

/** The exporter met a layer it cannot express; the caller falls back to tfjs for this backbone. */
export class UnsupportedLayerError extends Error {
  constructor(
    readonly layerName: string,
    readonly kind: string,
    detail = ''
  ) {
    super(`layer "${layerName}" of kind ${kind} is not supported by the ONNX exporter${detail ? ` (${detail})` : ''}`);
    this.name = 'UnsupportedLayerError';
  }
}

type Converter = (layer: tf.layers.Layer, inputs: string[], b: IrBuilder) => string;

const pair = z.tuple([z.number().int(), z.number().int()]);
const convConfig = z.object({
  kernelSize: pair,
  strides: pair,
  padding: z.enum(['same', 'valid']),
  dataFormat: z.literal('channelsLast').optional(),
  dilationRate: pair.optional(),
  activation: z.string(),
  useBias: z.boolean()
});
const poolConfig = z.object({ poolSize: pair, strides: pair.nullable().optional(), padding: z.enum(['same', 'valid']) });
const bnConfig = z.object({ axis: z.union([z.literal(-1), z.literal(3)]), epsilon: z.number(), center: z.boolean(), scale: z.boolean() });

function config<T>(layer: tf.layers.Layer, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(layer.getConfig());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UnsupportedLayerError(layer.name, layer.getClassName(), `${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** A copy of each weight's values, keyed by canonical name (kernel, bias, gamma, …). */
function weightsOf(layer: tf.layers.Layer): Map<string, Float32Array> {
  return new Map(layer.weights.map((w) => [canonicalWeightName(w.originalName), Float32Array.from(w.read().dataSync() as Float32Array)]));
}

function need(weights: Map<string, Float32Array>, name: string, layer: tf.layers.Layer): Float32Array {
  const w = weights.get(name);
  if (!w) throw new UnsupportedLayerError(layer.name, layer.getClassName(), `no ${name} weight`);
  return w;
}

function nhwc(b: IrBuilder, value: string): [number, number, number, number] {
  const s = b.shape(value);
  if (s.length !== 4 || s.slice(1).some((d) => typeof d !== 'number')) throw new Error(`exporter: ${value} is not a static NHWC map`);
  return [1, s[1] as number, s[2] as number, s[3] as number];
}

function padsOf(info: tf.backend_util.Conv2DInfo): Pads {
  const p = info.padInfo;
  return { top: p.top, bottom: p.bottom, left: p.left, right: p.right };
}

/** Adds the activation a conv/dense layer carries in its config ('linear' adds nothing). */
function activation(layer: tf.layers.Layer, name: string, value: string, b: IrBuilder): string {
  const fn = activationFn(name);
  if (fn === 'linear') return value;
  if (fn === null) throw new UnsupportedLayerError(layer.name, layer.getClassName(), `activation ${name}`);
  return b.add({ op: 'activation', name: `${layer.name}_${fn}`, input: value, fn }, b.shape(value));
}

function activationFn(name: string): ActivationFn | 'linear' | null {
  const known: Record<string, ActivationFn | 'linear'> = {
    linear: 'linear',
    relu: 'relu',
    relu6: 'relu6',
    sigmoid: 'sigmoid',
    tanh: 'tanh',
    softmax: 'softmax'
  };
  return known[name] ?? null;
}

function conv(layer: tf.layers.Layer, [input]: string[], b: IrBuilder, depthwise: boolean): string {
  const c = config(layer, convConfig);
  const inShape = nhwc(b, input);
  const weights = weightsOf(layer);
  const kernel = need(weights, depthwise ? 'depthwise_kernel' : 'kernel', layer);
  const kernelShape = layer.weights.find((w) => canonicalWeightName(w.originalName) === (depthwise ? 'depthwise_kernel' : 'kernel'))!
    .shape as [number, number, number, number];
  const dilations = c.dilationRate ?? [1, 1];
  const info = tf.backend_util.computeConv2DInfo(inShape, kernelShape, c.strides, dilations, c.padding, undefined, depthwise);
  const out = b.add(
    {
      op: 'conv',
      name: layer.name,
      input,
      kernel,
      kernelShape,
      depthwise,
      bias: c.useBias ? need(weights, 'bias', layer) : null,
      strides: c.strides,
      dilations,
      pads: padsOf(info)
    },
    [null, info.outHeight, info.outWidth, info.outChannels]
  );
  return activation(layer, c.activation, out, b);
}

/** Inference-mode batch norm as y = x·scale + shift per channel (folded into a conv later when it can be). */
function batchNorm(layer: tf.layers.Layer, [input]: string[], b: IrBuilder): string {
  const c = config(layer, bnConfig);
  if (b.shape(input).length !== 4 && c.axis !== -1) throw new UnsupportedLayerError(layer.name, 'BatchNormalization', 'axis');
  const w = weightsOf(layer);
  const mean = need(w, 'moving_mean', layer);
  const variance = need(w, 'moving_variance', layer);
  const gamma = c.scale ? need(w, 'gamma', layer) : null;
  const beta = c.center ? need(w, 'beta', layer) : null;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + c.epsilon);
    shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
  }
  return b.add({ op: 'channel-affine', name: layer.name, input, scale, shift }, b.shape(input));
}

function pool(layer: tf.layers.Layer, [input]: string[], b: IrBuilder, kind: 'max' | 'avg'): string {
  const c = config(layer, poolConfig);
  const strides = c.strides ?? c.poolSize;
  const info = tf.backend_util.computePool2DInfo(nhwc(b, input), c.poolSize, strides, 1, c.padding);
  return b.add({ op: 'pool', name: layer.name, input, kind, size: c.poolSize, strides, pads: padsOf(info) }, [
    null,
    info.outHeight,
    info.outWidth,
    info.outChannels
  ]);
}

function zeroPad(layer: tf.layers.Layer, [input]: string[], b: IrBuilder): string {
  const { padding } = config(layer, z.object({ padding: z.tuple([pair, pair]) }));
  const [, h, w, ch] = nhwc(b, input);
  const pads = { top: padding[0][0], bottom: padding[0][1], left: padding[1][0], right: padding[1][1] };
  return b.add({ op: 'zero-pad', name: layer.name, input, pads }, [null, h + pads.top + pads.bottom, w + pads.left + pads.right, ch]);
}

function dense(layer: tf.layers.Layer, [input]: string[], b: IrBuilder): string {
  const c = config(layer, z.object({ units: z.number().int(), activation: z.string(), useBias: z.boolean() }));
  const inShape = b.shape(input);
  if (inShape.length !== 2 && inShape.length !== 4) throw new UnsupportedLayerError(layer.name, 'Dense', `rank-${inShape.length} input`);
  const w = weightsOf(layer);
  const inDim = b.channels(input);
  const out = b.add(
    {
      op: 'dense',
      name: layer.name,
      input,
      kernel: need(w, 'kernel', layer),
      inDim,
      outDim: c.units,
      bias: c.useBias ? need(w, 'bias', layer) : null
    },
    [...inShape.slice(0, -1), c.units]
  );
  return activation(layer, c.activation, out, b);
}

function flatten(layer: tf.layers.Layer, [input]: string[], b: IrBuilder): string {
  const s = b.shape(input);
  const dim = s.slice(1).reduce<number>((a, d) => a * (d as number), 1);
  return s.length === 2 ? input : b.add({ op: 'flatten', name: layer.name, input }, [null, dim]);
}

function act(layer: tf.layers.Layer, [input]: string[], b: IrBuilder, fn: ActivationFn, alpha?: number): string {
  return b.add({ op: 'activation', name: layer.name, input, fn, alpha }, b.shape(input));
}

function relu(layer: tf.layers.Layer, inputs: string[], b: IrBuilder): string {
  const { maxValue } = config(layer, z.object({ maxValue: z.number().nullable().optional() }));
  if (maxValue === null || maxValue === undefined) return act(layer, inputs, b, 'relu');
  if (maxValue === 6) return act(layer, inputs, b, 'relu6');
  throw new UnsupportedLayerError(layer.name, 'ReLU', `maxValue ${maxValue}`);
}

function permute(layer: tf.layers.Layer, [input]: string[], b: IrBuilder): string {
  const { dims } = config(layer, z.object({ dims: z.array(z.number().int()) }));
  const shape = b.shape(input);
  if (shape.length !== 4 || dims.length !== 3) throw new UnsupportedLayerError(layer.name, 'Permute', 'only rank-4 values');
  return b.add({ op: 'permute', name: layer.name, input, dims }, [shape[0], ...dims.map((d) => shape[d])]);
}

function concatenate(layer: tf.layers.Layer, inputs: string[], b: IrBuilder): string {
  const { axis } = config(layer, z.object({ axis: z.number().int() }));
  const shapes = inputs.map((i) => b.shape(i));
  if (axis !== -1 && axis !== shapes[0].length - 1) throw new UnsupportedLayerError(layer.name, 'Concatenate', `axis ${axis}`);
  const shape = [...shapes[0].slice(0, -1), inputs.reduce((sum, i) => sum + b.channels(i), 0)];
  return b.add({ op: 'concat', name: layer.name, inputs }, shape);
}

const CONVERTERS: Record<string, Converter> = {
  Conv2D: (l, i, b) => conv(l, i, b, false),
  DepthwiseConv2D: (l, i, b) => conv(l, i, b, true),
  BatchNormalization: batchNorm,
  ReLU: relu,
  LeakyReLU: (l, i, b) => act(l, i, b, 'leaky-relu', config(l, z.object({ alpha: z.number() })).alpha),
  Activation: (l, [input], b) => activation(l, config(l, z.object({ activation: z.string() })).activation, input, b),
  Concatenate: concatenate,
  Permute: permute,
  Add: (l, inputs, b) => b.add({ op: 'add', name: l.name, inputs }, b.shape(inputs[0])),
  MaxPooling2D: (l, i, b) => pool(l, i, b, 'max'),
  AveragePooling2D: (l, i, b) => pool(l, i, b, 'avg'),
  ZeroPadding2D: zeroPad,
  GlobalAveragePooling2D: (l, [input], b) => b.add({ op: 'global-pool', name: l.name, input, kind: 'avg' }, [null, b.channels(input)]),
  GlobalMaxPooling2D: (l, [input], b) => b.add({ op: 'global-pool', name: l.name, input, kind: 'max' }, [null, b.channels(input)]),
  Dense: dense,
  Flatten: flatten,
  // Inference-time no-ops.
  Dropout: (_l, [input]) => input,
  SpatialDropout2D: (_l, [input]) => input,
  GaussianNoise: (_l, [input]) => input,
  GaussianDropout: (_l, [input]) => input
};

/** The converter for a layer's kind, or an UnsupportedLayerError naming the layer and kind. */
export function convertLayer(layer: tf.layers.Layer, inputs: string[], b: IrBuilder): string {
  const kind = layer.getClassName();
  const converter = CONVERTERS[kind];
  if (!converter) throw new UnsupportedLayerError(layer.name, kind);
  const single = kind !== 'Add' && kind !== 'Concatenate';
  if (single && inputs.length !== 1) throw new UnsupportedLayerError(layer.name, kind, `${inputs.length} inputs`);
  return converter(layer, inputs, b);
}
