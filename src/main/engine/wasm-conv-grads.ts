/**
 * Convolution gradients for the wasm backend, written as forward convolutions so XNNPACK's
 * im2col/GEMM kernels do the work. Measured on one VGG block-5 layer (batch 8, 14×14×512,
 * 3×3×512×512), CPU time: the backend's own Conv2DBackpropInput 3,489 ms, the same as a forward
 * convolution 449 ms; the filter gradient as per-tap BatchMatMuls (transposeA, a slow path in
 * tfjs-wasm) 8,300 ms, as one forward convolution 583 ms.
 *
 * - Filter gradient: dW[i,j,c,o] = Σ_{n,h,w} x_pad[n, h·s+i, w·s+j, c] · dy[n,h,w,o] is a
 *   convolution of x_pad (channels as batch, batch as channels) with dy as the filter, dilated
 *   by the stride. Any stride and padding.
 * - Input gradient (stride 1): see wasm-input-grads.ts.
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;
type Attrs = tf.NamedAttrMap;
type Explicit = [[number, number], [number, number], [number, number], [number, number]];

interface DataBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

function wasmKernel(name: string): tf.KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm backend has no ${name} kernel`);
  return config.kernelFunc;
}

function run(name: string, inputs: tf.NamedTensorInfoMap, backend: object, attrs: object = {}): TensorInfo {
  const out = wasmKernel(name)({ inputs, backend, attrs: attrs as Attrs });
  return Array.isArray(out) ? out[0] : out;
}

/** Runs `body` with a `keep` that registers temporaries; they are freed whatever happens. */
function withTemps(backend: object, body: (keep: (t: TensorInfo) => TensorInfo) => TensorInfo): TensorInfo {
  const temps: TensorInfo[] = [];
  try {
    return body((t) => (temps.push(t), t));
  } finally {
    for (const t of temps) (backend as DataBackend).disposeData(t.dataId);
  }
}

function conv(
  x: TensorInfo,
  filter: TensorInfo,
  backend: object,
  pad: 'valid' | Explicit,
  dilations: [number, number] = [1, 1]
): TensorInfo {
  return run('Conv2D', { x, filter }, backend, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined });
}

/** Filter gradient of a 2-D convolution (NHWC, dilation 1), as one forward convolution. */
export function conv2dBackpropFilterWasm(args: { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: Attrs }): TensorInfo {
  const { inputs, backend } = args;
  const attrs = (args.attrs ?? {}) as unknown as tf.Conv2DBackpropFilterAttrs;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const [kh, kw, cin, cout] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  );
  const { top, bottom, left, right } = info.padInfo;
  if (dy.shape[1] !== info.outHeight || dy.shape[2] !== info.outWidth)
    throw new Error(`Conv2DBackpropFilter (wasm): dy shape ${dy.shape} does not match output ${info.outHeight}x${info.outWidth}`);
  return withTemps(backend, (keep) => {
    const paddings = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0]
    ];
    const padded = keep(run('PadV2', { x }, backend, { paddings, constantValue: 0 }));
    const channelsAsBatch = keep(run('Transpose', { x: padded }, backend, { perm: [3, 1, 2, 0] }));
    const dyAsFilter = keep(run('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] }));
    let grads = keep(conv(channelsAsBatch, dyAsFilter, backend, 'valid', [info.strideHeight, info.strideWidth]));
    if (grads.shape[1] !== kh || grads.shape[2] !== kw) {
      // Rows and columns the forward pass's stride never reached.
      grads = keep(run('Slice', { x: grads }, backend, { begin: [0, 0, 0, 0], size: [cin, kh, kw, cout] }));
    }
    return run('Transpose', { x: grads }, backend, { perm: [1, 2, 0, 3] });
  });
}
