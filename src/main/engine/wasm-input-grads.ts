/**
 * Faster input gradients for stride-1 convolutions on the wasm backend. Gradient ascent on an
 * image (filter visualisation) spends nearly all its time in them: wasm's own
 * Conv2DBackpropInput is a plain loop, about 5× slower than its XNNPACK Conv2D on VGG16 at 128 px,
 * and the depthwise one falls back to the cpu backend per op (copies in and out of the heap).
 *
 * For stride 1 (dilation 1) the input gradient is itself a convolution: dy, padded so every
 * input pixel sees each tap that touched it, correlated with the filter rotated by 180° and
 * with its in/out channels swapped (depthwise: only rotated). Strided convolutions keep the
 * kernels they had, since the dilated dy would need ops wasm lacks; they are few and small in
 * the backbones we use (MobileNetV2's first conv and four depthwise ones).
 *
 * Inside {@link withCachedFilterTransforms} (gradient ascent, where the same filters serve every
 * step) the rotated filter is kept per source filter: XNNPACK packs a filter's weights once per
 * filter tensor, and repacking VGG's 512×512 filters on every step cost more than the
 * convolution itself. Outside it (training, whose weights change every step) each call makes
 * and frees its own, so nothing outlives the call.
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type Attrs = tf.NamedAttrMap;

interface WasmBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  dataIdMap: { has(dataId: object): boolean };
}

interface ConvGeometry {
  strides: number | [number, number];
  pad: tf.Conv2DAttrs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
}

let registered = false;

/**
 * Replaces the wasm Conv2DBackpropInput and DepthwiseConv2dNativeBackpropInput kernels with
 * versions that take the fast path for stride 1 and call the previous kernel otherwise, and
 * wasm's MaxPoolGrad with {@link maxPoolGrad}: wasm's sends no gradient through a pooling
 * window whose values are all negative, or all zero at times (tfjs-backend-wasm 4.22), which
 * loses the gradient through max pools after LeakyReLU and skews Grad-CAM's weights on a
 * post-ReLU map before a pool. Call after the wasm backend is registered. Idempotent.
 */
export function registerWasmInputGradKernels(): void {
  if (registered) return;
  registered = true;
  wrap('Conv2DBackpropInput', (args, previous) => conv2dInputGrad(args, previous));
  wrap('DepthwiseConv2dNativeBackpropInput', (args, previous) => depthwiseInputGrad(args, previous));
  wrap('MaxPoolGrad', (args) => maxPoolGrad(args));
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function wrap(name: string, fast: (args: KernelArgs, previous: tf.KernelFunc) => TensorInfo | TensorInfo[]): void {
  const previous = tf.getKernel(name, 'wasm');
  if (!previous) return;
  tf.unregisterKernel(name, 'wasm');
  const fastInputGrad: tf.KernelFunc = (args) => fast(args, previous.kernelFunc);
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fastInputGrad });
}

function run(name: string, inputs: tf.NamedTensorInfoMap, backend: object, attrs: Attrs): TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm backend has no ${name} kernel`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/**
 * Explicit padding of dy for the transposed correlation, or null when the fast path does not
 * apply (stride or dilation above 1, NCHW). dx[y] = Σ_i dy[y + top − i]·w[i], so dy needs
 * kh−1−top rows above and enough below that the output is the input's height again.
 */
function transposedPadding(
  inputShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: ConvGeometry & { dilations?: number | [number, number] },
  depthwise: boolean
): [[number, number], [number, number], [number, number], [number, number]] | null {
  if (attrs.dataFormat === 'NCHW') return null;
  const dilations = attrs.dilations ?? 1;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const [kh, kw] = filterShape;
  const { top, left } = info.padInfo;
  const [, h, w] = inputShape;
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const padBottom = h + kh - 1 - info.outHeight - padTop;
  const padRight = w + kw - 1 - info.outWidth - padLeft;
  if (Math.min(padTop, padLeft, padBottom, padRight) < 0) return null;
  return [
    [0, 0],
    [padTop, padBottom],
    [padLeft, padRight],
    [0, 0]
  ];
}

function conv2dInputGrad(args: KernelArgs, previous: tf.KernelFunc): TensorInfo | TensorInfo[] {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const filterShape = filter.shape as [number, number, number, number];
  const padding = transposedPadding(attrs.inputShape, filterShape, attrs, false);
  if (!padding) return previous(args);
  const backend = args.backend as WasmBackendLike;
  const attrs2d = { strides: [1, 1], pad: padding, dataFormat: 'NHWC', dilations: [1, 1] } as unknown as Attrs;
  return withTransformedFilter(
    backend,
    filter,
    'conv',
    () => rotateFilter(backend, filter, true),
    (swapped) => run('Conv2D', { x: dy, filter: swapped }, backend, attrs2d)
  );
}

/**
 * The filter rotated by 180° in space, with in/out channels swapped when `swap` is set:
 * w[i, j, a, b] → out[kh−1−i, kw−1−j, b, a]. In plain JS: wasm's Reverse kernel took longer
 * on VGG's 3×3×512×512 filters than the convolution it prepares.
 */
function rotateFilter(backend: WasmBackendLike, filter: TensorInfo, swap: boolean): TensorInfo {
  const [kh, kw, a, b] = filter.shape;
  const w = backend.readSync(filter.dataId) as Float32Array;
  const out = new Float32Array(w.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const src = (i * kw + j) * a * b;
      const dst = ((kh - 1 - i) * kw + (kw - 1 - j)) * a * b;
      if (!swap) {
        out.set(w.subarray(src, src + a * b), dst);
        continue;
      }
      for (let p = 0; p < a; p++) for (let q = 0; q < b; q++) out[dst + q * a + p] = w[src + p * b + q];
    }
  }
  return backend.makeOutput(swap ? [kh, kw, b, a] : [kh, kw, a, b], 'float32', undefined, out);
}

/** Source filter data id → its transform, per kind ('conv' rotates and swaps, 'depthwise' rotates). */
const transformed = new Map<object, { kind: string; info: TensorInfo; backend: WasmBackendLike }>();
let cacheScopes = 0;

/**
 * Runs `work` with transformed filters kept between gradient calls (see the file comment); all
 * are freed when the outermost scope ends. No effect on backends other than wasm.
 */
export async function withCachedFilterTransforms<T>(work: () => Promise<T>): Promise<T> {
  cacheScopes++;
  try {
    return await work();
  } finally {
    if (--cacheScopes === 0) {
      for (const entry of transformed.values()) entry.backend.disposeData(entry.info.dataId);
      transformed.clear();
    }
  }
}

/**
 * The transform of `filter`, from the cache inside a scope. Outside one it is made fresh, and
 * `use` frees it once the kernel that needs it has run.
 */
function withTransformedFilter(
  backend: WasmBackendLike,
  filter: TensorInfo,
  kind: string,
  make: () => TensorInfo,
  use: (t: TensorInfo) => TensorInfo
): TensorInfo {
  if (cacheScopes === 0) {
    const fresh = make();
    try {
      return use(fresh);
    } finally {
      backend.disposeData(fresh.dataId);
    }
  }
  for (const [source, entry] of transformed) {
    if (!backend.dataIdMap.has(source)) {
      backend.disposeData(entry.info.dataId);
      transformed.delete(source);
    }
  }
  let entry = transformed.get(filter.dataId);
  if (!entry || entry.kind !== kind) {
    if (entry) backend.disposeData(entry.info.dataId);
    entry = { kind, info: make(), backend };
    transformed.set(filter.dataId, entry);
  }
  return use(entry.info);
}

function depthwiseInputGrad(args: KernelArgs, previous: tf.KernelFunc): TensorInfo | TensorInfo[] {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const filterShape = filter.shape as [number, number, number, number];
  // A channel multiplier above 1 would sum several dy channels into one dx channel.
  const padding = filterShape[3] === 1 ? transposedPadding(attrs.inputShape, filterShape, attrs, true) : null;
  if (!padding) return previous(args);
  const backend = args.backend as WasmBackendLike;
  const attrsDw = { strides: [1, 1], pad: padding, dilations: [1, 1], dataFormat: 'NHWC' } as unknown as Attrs;
  return withTransformedFilter(
    backend,
    filter,
    'depthwise',
    () => rotateFilter(backend, filter, false),
    (rotated) => run('DepthwiseConv2dNative', { x: dy, filter: rotated }, backend, attrsDw)
  );
}

/**
 * Max-pool gradient (NHWC, dilation 1): each window's dy goes to the window's first maximum in
 * row-major order, as the cpu backend and TensorFlow do. Plain JS over the heap: the cpu
 * backend's kernel (generic buffer access) took longer than VGG's convolutions.
 */
export function maxPoolGrad(args: KernelArgs): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const backend = args.backend as WasmBackendLike;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  );
  // Views into the heap stay valid: nothing allocates there until makeOutput below.
  const x = backend.readSync(input.dataId) as Float32Array;
  const g = backend.readSync(dy.dataId) as Float32Array;
  const dx = new Float32Array(x.length);
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        best.fill(-Infinity);
        at.fill(-1);
        for (let ky = 0; ky < info.filterHeight; ky++) {
          const iy = oy * strideHeight - top + ky;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < info.filterWidth; kx++) {
            const ix = ox * strideWidth - left + kx;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((b * inHeight + iy) * inWidth + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              if (x[base + ch] > best[ch] || at[ch] < 0) {
                best[ch] = x[base + ch];
                at[ch] = base + ch;
              }
            }
          }
        }
        const out = ((b * outHeight + oy) * outWidth + ox) * c;
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += g[out + ch];
      }
    }
  }
  return backend.makeOutput(input.shape, 'float32', undefined, dx);
}
