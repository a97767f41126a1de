/**
 * Runs a layers model's graph layer by layer from any fed tensors up to any tensor inside it,
 * with plain tfjs ops for the layers on the hot path, so that gradients cost only what they must:
 *
 * - tfjs-layers runs a bias-less or linear conv through `fused.conv2d`, whose custom gradient
 *   always computes the filter gradient too; here convs are `conv2d` + bias + activation, and
 *   gradient ascent on the image computes input gradients only.
 * - tfjs's FusedBatchNorm gradient tiles its per-channel scale to the full activation shape;
 *   inference batch norm is a broadcast multiply-add here.
 * - Starting from an intermediate tensor (Grad-CAM's conv map) runs just the layers after it.
 *
 * Layers of other classes run through their own `apply` (inference mode), so any model works.
 */
import * as tf from '@tensorflow/tfjs';

type Layer = tf.layers.Layer;
type LayerNode = Layer['inboundNodes'][number];

export interface GraphRunOptions {
  /** A Dense layer run without its activation: its output is the class scores before softmax. */
  linearLayer?: string;
}

/**
 * Value of `target` (a symbolic tensor of `model` or of a model nested in it, at any depth that
 * the walk reaches) from `feeds` (symbolic tensor id → value). Throws when the feeds do not
 * determine the target (e.g. a skip connection reaches back before a fed tensor).
 */
export function runGraph(
  model: tf.LayersModel,
  feeds: ReadonlyMap<number, tf.Tensor>,
  target: tf.SymbolicTensor,
  opts: GraphRunOptions = {}
): tf.Tensor {
  const values = new Map(feeds);
  for (const layer of model.layers) {
    if (values.has(target.id)) break;
    for (const node of layer.inboundNodes) runNode(layer, node, values, target, opts);
  }
  const out = values.get(target.id);
  if (!out) throw new Error(`${model.name}: ${target.name} cannot be computed from the given inputs`);
  return out;
}

function runNode(layer: Layer, node: LayerNode, values: Map<number, tf.Tensor>, target: tf.SymbolicTensor, opts: GraphRunOptions): void {
  if (node.inputTensors.length === 0 || node.outputTensors.every((t) => values.has(t.id))) return;
  const inputs = node.inputTensors.map((t) => values.get(t.id));
  if (inputs.some((v) => v === undefined)) return;
  const outputs = applyLayer(layer, inputs as tf.Tensor[], target, opts);
  node.outputTensors.forEach((t, i) => values.set(t.id, outputs[i]));
}

function applyLayer(layer: Layer, inputs: tf.Tensor[], target: tf.SymbolicTensor, opts: GraphRunOptions): tf.Tensor[] {
  if (layer instanceof tf.LayersModel) {
    const feeds = new Map(layer.inputs.map((t, i) => [t.id, inputs[i]] as const));
    // The target may live inside this nested model; its value is then the nested model's output here.
    const inner = containsTensor(layer, target) ? target : layer.outputs[0];
    return [runGraph(layer, feeds, inner, opts)];
  }
  const kernel = KERNELS[layer.getClassName()];
  if (kernel) return [kernel(layer, inputs[0], opts)];
  const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** True when `t` is produced by a layer of `model` or of a model nested in it. */
export function containsTensor(model: tf.LayersModel, t: tf.SymbolicTensor): boolean {
  return model.layers.some(
    (l) => l.inboundNodes.some((n) => n.outputTensors.some((o) => o.id === t.id)) || (l instanceof tf.LayersModel && containsTensor(l, t))
  );
}

type Kernel = (layer: Layer, x: tf.Tensor, opts: GraphRunOptions) => tf.Tensor;

interface ConvConfig {
  strides: number | [number, number];
  padding: 'same' | 'valid';
  dilationRate: number | [number, number];
  activation?: string;
  useBias?: boolean;
}

/** The layer's weight values by their short name (kernel, bias, gamma, moving_mean…). Not copies: never dispose. */
function weightsOf(layer: Layer): Map<string, tf.Tensor> {
  return new Map(layer.weights.map((w) => [w.originalName.slice(w.originalName.lastIndexOf('/') + 1), w.read()] as const));
}

const activationLayers = new Map<string, Layer>();

function activate(x: tf.Tensor, name: string | undefined): tf.Tensor {
  if (!name || name === 'linear') return x;
  if (name === 'relu') return tf.relu(x);
  let layer = activationLayers.get(name);
  if (!layer) {
    layer = tf.layers.activation({ activation: name as 'relu' });
    activationLayers.set(name, layer);
  }
  return layer.apply(x) as tf.Tensor;
}

function conv2d(layer: Layer, x: tf.Tensor, opts: GraphRunOptions, depthwise: boolean): tf.Tensor {
  const c = layer.getConfig() as unknown as ConvConfig;
  const w = weightsOf(layer);
  const kernel = (depthwise ? w.get('depthwise_kernel') : w.get('kernel')) as tf.Tensor4D;
  const dilation = c.dilationRate as [number, number] | number;
  let y: tf.Tensor = depthwise
    ? tf.depthwiseConv2d(x as tf.Tensor4D, kernel, c.strides, c.padding, 'NHWC', dilation)
    : tf.conv2d(x as tf.Tensor4D, kernel, c.strides, c.padding, 'NHWC', dilation);
  const bias = w.get('bias');
  if (bias) y = tf.add(y, bias);
  return layer.name === opts.linearLayer ? y : activate(y, c.activation);
}

function batchNorm(layer: Layer, x: tf.Tensor): tf.Tensor {
  const c = layer.getConfig() as unknown as { axis: number | number[]; epsilon: number };
  const axis = Array.isArray(c.axis) ? c.axis[0] : c.axis;
  if (axis !== -1 && axis !== x.rank - 1) return layer.apply(x) as tf.Tensor;
  const w = weightsOf(layer);
  const variance = w.get('moving_variance') as tf.Tensor;
  const gamma = w.get('gamma');
  const scale = tf.mul(tf.rsqrt(tf.add(variance, c.epsilon)), gamma ?? 1);
  const shift = tf.sub(w.get('beta') ?? 0, tf.mul(w.get('moving_mean') as tf.Tensor, scale));
  return tf.add(tf.mul(x, scale), shift);
}

function dense(layer: Layer, x: tf.Tensor, opts: GraphRunOptions): tf.Tensor {
  const c = layer.getConfig() as unknown as { activation?: string };
  const w = weightsOf(layer);
  const kernel = w.get('kernel') as tf.Tensor2D;
  if (x.rank !== 2) return layer.apply(x) as tf.Tensor;
  let y: tf.Tensor = tf.matMul(x as tf.Tensor2D, kernel);
  const bias = w.get('bias');
  if (bias) y = tf.add(y, bias);
  return layer.name === opts.linearLayer ? y : activate(y, c.activation);
}

function relu(layer: Layer, x: tf.Tensor): tf.Tensor {
  const c = layer.getConfig() as unknown as { maxValue?: number | null; negativeSlope?: number; threshold?: number };
  if ((c.negativeSlope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) return layer.apply(x) as tf.Tensor;
  if (c.maxValue === 6) return tf.relu6(x);
  return c.maxValue == null ? tf.relu(x) : tf.minimum(tf.relu(x), c.maxValue);
}

const KERNELS: Record<string, Kernel> = {
  Conv2D: (l, x, o) => conv2d(l, x, o, false),
  DepthwiseConv2D: (l, x, o) => conv2d(l, x, o, true),
  BatchNormalization: (l, x) => batchNorm(l, x),
  Dense: dense,
  ReLU: (l, x) => relu(l, x),
  Dropout: (_l, x) => x
};
