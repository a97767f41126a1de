/**
 * IR graph → ONNX ModelProto bytes, with the official onnx.proto as compiled by protobufjs
 * (onnx-proto). Opset 13. Every layout decision goes through layout.ts.
 */
import onnxProto, { type onnx as Onnx } from 'onnx-proto';
import { GraphWriter } from './graph-writer';
import type { IrGraph, IrNode } from './ir';
import {
  CHANNEL_AXIS,
  channelVectorDims,
  convKernelToOihw,
  depthwiseKernelToOihw,
  NCHW_TO_NHWC,
  NHWC_TO_NCHW,
  spatialPads,
  tensorPads,
  WIDTH_AXIS
} from './layout';
import { emitWinogradConv, winogradPlan, type WinogradChoice } from './winograd';

// onnx-proto is CommonJS: its namespace arrives as the default export under Node's ESM loader.
const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export const OPSET = 13;
/** Name of the graph's output value. */
export const OUTPUT_NAME = 'features';

const INT64_MIN = -(2n ** 63n);
const CAFFE_MEANS_BGR = Float32Array.of(103.939, 116.779, 123.68);

export interface EncodeOptions {
  /** Which 3×3 convs run as Winograd (default 'auto': where it is faster). */
  winograd?: WinogradChoice;
}

/** Emits the ONNX nodes for one IR node; returns nothing, its output is the IR node's output. */
function emit(w: GraphWriter, n: IrNode, shapeOf: (v: string) => readonly (number | null)[], opts: EncodeOptions): void {
  const rank = (v: string) => shapeOf(v).length;
  const o = n.output;
  switch (n.op) {
    case 'image-input':
      // Transpose the bytes first: a quarter of the memory traffic of transposing floats.
      w.node('Cast', [w.node('Transpose', [n.input], w.temp(o), { perm: NHWC_TO_NCHW })], o, { to: FLOAT });
      return;
    case 'preprocess':
      return emitPreprocess(w, n);
    case 'mirror-views': {
      const steps = [w.int64s(`${o}/starts`, [-1]), w.int64s(`${o}/ends`, [INT64_MIN]), w.int64s(`${o}/axes`, [WIDTH_AXIS])];
      const flipped = w.node('Slice', [n.input, ...steps, w.int64s(`${o}/steps`, [-1])], w.temp(o));
      w.node('Concat', [n.input, flipped], o, { axis: 0 });
      return;
    }
    case 'merge-views':
      return emitMergeViews(w, n, shapeOf(n.input).at(-1) as number);
    case 'conv': {
      const [, height, width] = shapeOf(n.input);
      const plan = typeof height === 'number' && typeof width === 'number' ? winogradPlan(n, height, width, opts.winograd) : null;
      if (plan) return emitWinogradConv(w, n, height as number, width as number, plan);
      return emitConv(w, n);
    }
    case 'channel-affine': {
      const dims = rank(n.input) === 4 ? channelVectorDims(n.scale.length) : [n.scale.length];
      const scaled = w.node('Mul', [n.input, w.floats(`${o}/scale`, n.scale, dims)], w.temp(o));
      w.node('Add', [scaled, w.floats(`${o}/shift`, n.shift, dims)], o);
      return;
    }
    case 'activation':
      return emitActivation(w, n, rank(n.input));
    case 'add':
      w.node(n.inputs.length === 2 ? 'Add' : 'Sum', n.inputs, o);
      return;
    case 'concat':
      w.node('Concat', n.inputs, o, { axis: rank(o) === 4 ? CHANNEL_AXIS : rank(o) - 1 });
      return;
    case 'permute':
      w.node('Transpose', [n.input], o, { perm: storedPermutation(n.dims) });
      return;
    case 'pool':
      w.node(n.kind === 'max' ? 'MaxPool' : 'AveragePool', [n.input], o, {
        kernel_shape: n.size,
        strides: n.strides,
        pads: spatialPads(n.pads),
        ...(n.kind === 'avg' ? { count_include_pad: 0 } : {})
      });
      return;
    case 'zero-pad':
      w.node('Pad', [n.input, w.int64s(`${o}/pads`, tensorPads(n.pads))], o, { mode: 'constant' });
      return;
    case 'global-pool':
      w.node('Flatten', [w.node(n.kind === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool', [n.input], w.temp(o))], o, { axis: 1 });
      return;
    case 'flatten':
      // Keras flattens channels-last: go back to NHWC first so the order matches tfjs.
      w.node('Flatten', [w.node('Transpose', [n.input], w.temp(o), { perm: NCHW_TO_NHWC })], o, { axis: 1 });
      return;
    case 'dense': {
      if (rank(n.input) === 4) return emitMapDense(w, n);
      const inputs = [n.input, w.floats(`${o}/kernel`, n.kernel, [n.inDim, n.outDim])];
      if (n.bias) inputs.push(w.floats(`${o}/bias`, n.bias, [n.outDim]));
      w.node('Gemm', inputs, o);
      return;
    }
  }
}

/**
 * A Keras Permute on a rank-4 value, as a Transpose of its stored (NCHW) layout: back to Keras
 * order, the permutation, then to the stored layout again, composed into one perm.
 */
function storedPermutation(dims: readonly number[]): number[] {
  const keras = [0, ...dims];
  return NHWC_TO_NCHW.map((i) => NCHW_TO_NHWC[keras[i]]);
}

/** Dense on the last Keras axis of a rank-4 value: MatMul in Keras order between two transposes of the stored layout. */
function emitMapDense(w: GraphWriter, n: Extract<IrNode, { op: 'dense' }>): void {
  const o = n.output;
  const keras = w.node('Transpose', [n.input], w.temp(o), { perm: NCHW_TO_NHWC });
  let y = w.node('MatMul', [keras, w.floats(`${o}/kernel`, n.kernel, [n.inDim, n.outDim])], w.temp(o));
  if (n.bias) y = w.node('Add', [y, w.floats(`${o}/bias`, n.bias, [n.outDim])], w.temp(o));
  w.node('Transpose', [y], o, { perm: NHWC_TO_NCHW });
}

function emitPreprocess(w: GraphWriter, n: Extract<IrNode, { op: 'preprocess' }>): void {
  const o = n.output;
  if (n.mode === 'caffe') {
    const bgr = w.node('Gather', [n.input, w.int64s(`${o}/bgr`, [2, 1, 0])], w.temp(o), { axis: CHANNEL_AXIS });
    w.node('Sub', [bgr, w.floats(`${o}/means`, CAFFE_MEANS_BGR, channelVectorDims(3))], o);
    return;
  }
  const divisor = n.mode === 'tf' ? 127.5 : 127;
  const scaled = w.node('Div', [n.input, w.scalar(`${o}/divisor`, divisor)], w.temp(o));
  w.node('Sub', [scaled, w.scalar(`${o}/one`, 1)], o);
}

function emitMergeViews(w: GraphWriter, n: Extract<IrNode, { op: 'merge-views' }>, dim: number): void {
  const o = n.output;
  // [2N, D] with view 0 rows first → [2, N, D].
  const split = w.node('Reshape', [n.input, w.int64s(`${o}/split`, [2, -1, dim])], w.temp(o));
  if (n.mode === 'mean') {
    w.node('ReduceMean', [split], o, { axes: [0], keepdims: 0 });
    return;
  }
  const perPhoto = w.node('Transpose', [split], w.temp(o), { perm: [1, 0, 2] });
  w.node('Flatten', [perPhoto], o, { axis: 1 });
}

function emitConv(w: GraphWriter, n: Extract<IrNode, { op: 'conv' }>): void {
  const o = n.output;
  const weights = n.depthwise ? depthwiseKernelToOihw(n.kernel, n.kernelShape) : convKernelToOihw(n.kernel, n.kernelShape);
  const inputs = [n.input, w.floats(`${o}/W`, weights.data, weights.dims)];
  if (n.bias) inputs.push(w.floats(`${o}/B`, n.bias, [weights.dims[0]]));
  w.node('Conv', inputs, o, {
    kernel_shape: [n.kernelShape[0], n.kernelShape[1]],
    strides: n.strides,
    dilations: n.dilations,
    pads: spatialPads(n.pads),
    group: n.depthwise ? n.kernelShape[2] : 1
  });
}

function emitActivation(w: GraphWriter, n: Extract<IrNode, { op: 'activation' }>, rank: number): void {
  const o = n.output;
  switch (n.fn) {
    case 'relu':
      w.node('Relu', [n.input], o);
      return;
    case 'relu6':
      w.node('Clip', [n.input, w.scalar(`${o}/min`, 0), w.scalar(`${o}/max`, 6)], o);
      return;
    case 'leaky-relu':
      w.node('LeakyRelu', [n.input], o, { alpha: n.alpha ?? 0.3 });
      return;
    case 'sigmoid':
      w.node('Sigmoid', [n.input], o);
      return;
    case 'tanh':
      w.node('Tanh', [n.input], o);
      return;
    case 'softmax':
      w.node('Softmax', [n.input], o, { axis: rank === 4 ? CHANNEL_AXIS : -1 });
      return;
  }
}

function valueInfo(name: string, elemType: number, shape: readonly (number | null)[]): Onnx.IValueInfoProto {
  const dim = shape.map((d) => (d === null ? { dimParam: 'N' } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** Whether any conv of `graph` would be exported as Winograd under `choice`. */
export function hasWinogradConvs(graph: IrGraph, choice: WinogradChoice = 'auto'): boolean {
  return graph.nodes.some((n) => {
    if (n.op !== 'conv') return false;
    const [, height, width] = graph.shapes.get(n.input) ?? [];
    return typeof height === 'number' && typeof width === 'number' && winogradPlan(n, height, width, choice) !== null;
  });
}

/** Encodes the graph; the output is named OUTPUT_NAME, in Keras order (maps back to NHWC). */
export function encodeOnnx(graph: IrGraph, producerVersion: string, opts: EncodeOptions = {}): Uint8Array {
  const w = new GraphWriter();
  const shapeOf = (v: string) => graph.shapes.get(v) ?? [];
  for (const n of graph.nodes) emit(w, n, shapeOf, opts);
  const outShape = graph.shapes.get(graph.output) ?? [];
  if (outShape.length === 4) w.node('Transpose', [graph.output], OUTPUT_NAME, { perm: NCHW_TO_NHWC });
  else w.node('Identity', [graph.output], OUTPUT_NAME);
  const { name, size } = graph.input;
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'transfer-studio',
    producerVersion,
    graph: {
      name: 'transfer_studio_export',
      node: w.nodes,
      initializer: w.initializers,
      input: [valueInfo(name, onnx.TensorProto.DataType.UINT8, [null, size, size, 3])],
      output: [valueInfo(OUTPUT_NAME, FLOAT, outShape)]
    }
  });
  return onnx.ModelProto.encode(model).finish();
}
