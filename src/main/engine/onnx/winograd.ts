/**
 * 3×3 stride-1 convolutions as Winograd F(m×m, 3×3) (Lavin & Gray, 2016). ONNX Runtime's direct
 * convolution already runs VGG16 at the CPU's measured matrix-multiply peak (~95 GFLOP/s per
 * core here), so the only way left to make a VGG forward pass faster on the CPU is to multiply
 * less: F(4×4, 3×3) computes each 4×4 block of output from 36 products per channel pair instead
 * of 144. Built from plain ONNX ops: strided slices and two small MatMuls transform the input
 * tiles, one grouped 1×1 Conv (the n² tile positions as groups) does the products against the
 * weights G·g·Gᵀ (constant ops ONNX Runtime folds when the session opens), and a small MatMul
 * and DepthToSpace turn the products back into the output map. On VGG16 the features differ from the direct convolution's by < 1e-6
 * relative (random and trained weights alike stay far inside the 1e-4 the runtimes are held to).
 */
import type { GraphWriter } from './graph-writer';
import type { IrNode } from './ir';
import { channelVectorDims, convKernelToOihw, spatialPads } from './layout';

type ConvNode = Extract<IrNode, { op: 'conv' }>;

/** A Winograd F(m×m, 3×3) transform set: tiles of n = m + 2 input pixels give m×m outputs. */
export interface Transforms {
  m: number;
  n: number;
  /** n×n input transform Bᵀ. */
  bt: number[][];
  /** n×3 kernel transform. */
  g: number[][];
  /** m×n output transform Aᵀ. */
  at: number[][];
}

/** Lavin & Gray's F(2×2, 3×3): exact small integers, the most accurate. */
const F2: Transforms = {
  m: 2,
  n: 4,
  bt: [
    [1, 0, -1, 0],
    [0, 1, 1, 0],
    [0, -1, 1, 0],
    [0, 1, 0, -1]
  ],
  g: [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1]
  ],
  at: [
    [1, 1, 1, 0],
    [0, 1, -1, -1]
  ]
};

/** F(4×4, 3×3) on the points 0, ±1, ±2, ∞: 36 products per 16 outputs instead of 144. */
const F4: Transforms = {
  m: 4,
  n: 6,
  bt: [
    [4, 0, -5, 0, 1, 0],
    [0, -4, -4, 1, 1, 0],
    [0, 4, -4, -1, 1, 0],
    [0, -2, -1, 2, 1, 0],
    [0, 2, -1, -2, 1, 0],
    [0, 4, 0, -5, 0, 1]
  ],
  g: [
    [1 / 4, 0, 0],
    [-1 / 6, -1 / 6, -1 / 6],
    [-1 / 6, 1 / 6, -1 / 6],
    [1 / 24, 1 / 12, 1 / 6],
    [1 / 24, -1 / 12, 1 / 6],
    [0, 0, 1]
  ],
  at: [
    [1, 1, 1, 1, 1, 0],
    [0, 1, -1, 2, -2, 0],
    [0, 1, 1, 4, 4, 0],
    [0, 1, -1, 8, -8, 1]
  ]
};

/** 'auto': where it pays off (winogradPlan); 'off': direct convolutions; a tile: every 3×3 stride-1 conv. */
export type WinogradChoice = 'auto' | 'off' | { tile: 2 | 4 };

/**
 * The transform set for a conv over an h×w input, or null for a direct convolution. Only dense
 * 3×3 convs with stride and dilation 1. 'auto' also asks for at least 128 channels in and out
 * and 256 on one side: below that the transforms (memory passes over tensors 2.25× the
 * activation) cost more than the products they save — measured per layer on VGG16 at 224 px,
 * block2_conv2 (128→128 at 112 px) got slower, block3_conv1 (128→256) and everything after got
 * 30–50% faster. F(4×4) unless whole 4×4 tiles would cover over 20% more than the map (VGG16's
 * 14 px block 5 at 224 px), where F(2×2) wastes nothing.
 */
export function winogradPlan(n: ConvNode, height: number, width: number, choice: WinogradChoice = 'auto'): Transforms | null {
  const [kh, kw, cin, cout] = n.kernelShape;
  const unit = (p: readonly number[]) => p[0] === 1 && p[1] === 1;
  if (choice === 'off' || n.depthwise || kh !== 3 || kw !== 3 || !unit(n.strides) || !unit(n.dilations)) return null;
  if (choice !== 'auto') return choice.tile === 2 ? F2 : F4;
  if (Math.min(cin, cout) < 128 || Math.max(cin, cout) < 256) return null;
  const outH = height + n.pads.top + n.pads.bottom - 2;
  const outW = width + n.pads.left + n.pads.right - 2;
  const covered = Math.ceil(outH / 4) * 4 * Math.ceil(outW / 4) * 4;
  return covered > 1.2 * outH * outW ? F2 : F4;
}

/** Aᵀ·M·A of an n×n tile as one [m², n²] matrix: row a·m + b is output (a, b), column i·n + j is M[i][j]. */
function outputTransform({ m, n, at }: Transforms): Float32Array {
  const k = new Float32Array(m * m * n * n);
  for (let a = 0; a < m; a++)
    for (let b = 0; b < m; b++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[(a * m + b) * n * n + i * n + j] = at[a][i] * at[b][j];
  return k;
}

/**
 * The n slices k, k+m, … (k = 0..n−1, `tiles` long each) of `value` along `axis`, stacked on
 * `stackAxis` and multiplied by Bᵀ there; `shape` is the stacked value's shape for the MatMul.
 */
function transformAxis(
  w: GraphWriter,
  o: string,
  f: Transforms,
  value: string,
  axis: number,
  tiles: number,
  stackAxis: number,
  shape: number[]
): string {
  const ints = (v: number[]) => w.int64s(w.temp(`${o}/i`), v);
  const axes = ints([stackAxis]);
  const slices = Array.from({ length: f.n }, (_, k) => {
    const slice = w.node('Slice', [value, ints([k]), ints([k + f.m * (tiles - 1) + 1]), ints([axis]), ints([f.m])], w.temp(o));
    return w.node('Unsqueeze', [slice, axes], w.temp(o));
  });
  const stacked = w.node('Concat', slices, w.temp(o), { axis: stackAxis });
  const rows = w.node('Reshape', [stacked, ints([0, ...shape.slice(1, stackAxis), f.n, -1])], w.temp(o));
  const bt = w.floats(w.temp(`${o}/BT`), Float32Array.from(f.bt.flat()), [f.n, f.n]);
  return w.node('Reshape', [w.node('MatMul', [bt, rows], w.temp(o)), ints([0, ...shape.slice(1)])], w.temp(o));
}

/**
 * U = G·g·Gᵀ for every (output, input) channel pair, as [n²·cout, cin, 1, 1] grouped-conv weights
 * (tile position first). Written as constant ops on the 3×3 kernels, which ONNX Runtime folds
 * once when the session opens: the .onnx file keeps the kernels' size (59 MB for VGG16, not 4×
 * that), and folding (one GEMM) costs less than encoding and writing the transformed weights.
 */
function kernelTransform(w: GraphWriter, o: string, f: Transforms, oihw: Float32Array, cout: number, cin: number): string {
  const { n, g } = f;
  const ints = (v: number[]) => w.int64s(w.temp(`${o}/i`), v);
  // (G ⊗ G)ᵀ: [9, n²], row k·3 + l, column i·n + j = G[i][k]·G[j][l].
  const kron = new Float32Array(9 * n * n);
  for (let k = 0; k < 3; k++)
    for (let l = 0; l < 3; l++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) kron[(k * 3 + l) * n * n + i * n + j] = g[i][k] * g[j][l];
  const kernels = w.floats(`${o}/W`, oihw, [cout * cin, 9]);
  const u = w.node('MatMul', [kernels, w.floats(`${o}/GG`, kron, [9, n * n])], w.temp(o)); // [cout·cin, n²]
  const byPosition = w.node('Transpose', [u], w.temp(o), { perm: [1, 0] });
  return w.node('Reshape', [byPosition, ints([n * n * cout, cin, 1, 1])], w.temp(o));
}

/**
 * Emits the conv `node` over an NCHW input of `height`×`width` as Winograd F(m×m, 3×3); the output
 * is `node.output`, equal to the direct convolution's (bias added, activation left to the next node).
 */
export function emitWinogradConv(w: GraphWriter, node: ConvNode, height: number, width: number, f: Transforms): void {
  const o = node.output;
  const { m, n } = f;
  const [, , cin, cout] = node.kernelShape;
  const [top, left, bottom, right] = spatialPads(node.pads);
  const outH = height + top + bottom - 2;
  const outW = width + left + right - 2;
  const th = Math.ceil(outH / m);
  const tw = Math.ceil(outW / m);
  // Pad to whole tiles: m·tiles + 2 rows and columns.
  const pads = [0, 0, top, left, 0, 0, m * th + 2 - height - top, m * tw + 2 - width - left];
  const padded = pads.some((p) => p !== 0)
    ? w.node('Pad', [node.input, w.int64s(`${o}/pads`, pads)], w.temp(o), { mode: 'constant' })
    : node.input;
  const rows = transformAxis(w, o, f, padded, 2, th, 1, [0, n, cin, th, m * tw + 2]);
  const tiles = transformAxis(w, o, f, rows, 4, tw, 2, [0, n, n, cin, th, tw]);
  // The n² tile positions as n² groups of C channels: one grouped 1×1 conv does all their products.
  const flat = w.node('Reshape', [tiles, w.int64s(`${o}/tiles`, [0, n * n * cin, th, tw])], w.temp(o));
  const kernel = convKernelToOihw(node.kernel, node.kernelShape);
  const weights = kernelTransform(w, o, f, kernel.data, cout, cin);
  const products = w.node('Conv', [flat, weights], w.temp(o), { kernel_shape: [1, 1], group: n * n }); // [N, n²·cout, th, tw]
  const byTile = w.node('Reshape', [products, w.int64s(`${o}/products`, [0, n * n, cout * th * tw])], w.temp(o));
  const outputs = w.node('MatMul', [w.floats(`${o}/AT`, outputTransform(f), [m * m, n * n]), byTile], w.temp(o)); // [N, m², cout·th·tw]
  const blocks = w.node('Reshape', [outputs, w.int64s(`${o}/blocks`, [0, m * m * cout, th, tw])], w.temp(o));
  let y = w.node('DepthToSpace', [blocks], w.temp(o), { blocksize: m, mode: 'DCR' });
  if (m * th !== outH || m * tw !== outW) {
    const crop = [w.int64s(`${o}/crop0`, [0, 0]), w.int64s(`${o}/crop1`, [outH, outW]), w.int64s(`${o}/cropAxes`, [2, 3])];
    y = w.node('Slice', [y, ...crop], w.temp(o));
  }
  if (node.bias) w.node('Add', [y, w.floats(`${o}/B`, node.bias, channelVectorDims(cout))], o);
  else w.node('Identity', [y], o);
}
