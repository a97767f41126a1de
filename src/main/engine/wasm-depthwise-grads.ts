/**
 * Depthwise convolution gradients for the wasm backend (MobileNetV2's top block), which ships
 * none; the cpu backend's, run per op, took 4.3 s of a 9.9 s fine-tuning step (batch 15,
 * 10×10×336). Here, from wasm kernels:
 *
 * - Filter gradient: for each kernel tap, the shifted input times dy, summed over batch and
 *   positions. Any stride, dilation and channel multiplier.
 * - Input gradient (stride 1): see wasm-input-grads.ts; the rest runs on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = tf.TensorInfo;

interface DataBackend {
  disposeData(dataId: object, force?: boolean): boolean;
}

function run(name: string, inputs: tf.NamedTensorInfoMap | TensorInfo[], backend: object, attrs: object = {}): TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm backend has no ${name} kernel`);
  const out = config.kernelFunc({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs: attrs as tf.NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

function withTemps(backend: object, body: (keep: (t: TensorInfo) => TensorInfo) => TensorInfo): TensorInfo {
  const temps: TensorInfo[] = [];
  try {
    return body((t) => (temps.push(t), t));
  } finally {
    for (const t of temps) (backend as DataBackend).disposeData(t.dataId);
  }
}

interface DepthwiseAttrs {
  strides: [number, number] | number;
  dilations: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function depthwiseBackpropFilterWasm(fallback: tf.KernelFunc): tf.KernelFunc {
  return function depthwiseBackpropFilterByTaps(args) {
    const { backend } = args;
    const attrs = args.attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const [kh, kw, cin, mult] = attrs.filterShape;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterShape,
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
      true
    );
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
    if (dy.shape[1] !== oh || dy.shape[2] !== ow) return fallback(args);
    const n = x.shape[0];
    const p = info.padInfo;
    return withTemps(backend, (keep) => {
      const paddings = [
        [0, 0],
        [p.top, p.bottom],
        [p.left, p.right],
        [0, 0]
      ];
      const padded = keep(run('PadV2', { x }, backend, { paddings, constantValue: 0 }));
      const dyPerMultiplier = mult === 1 ? dy : keep(run('Reshape', { x: dy }, backend, { shape: [n, oh, ow, cin, mult] }));
      const taps: TensorInfo[] = [];
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const shifted = keep(
            run('StridedSlice', { x: padded }, backend, {
              begin: [0, i * dh, j * dw, 0],
              end: [n, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1, cin],
              strides: [1, sh, sw, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0
            })
          );
          const a = mult === 1 ? shifted : keep(run('Reshape', { x: shifted }, backend, { shape: [n, oh, ow, cin, 1] }));
          const product = keep(run('Multiply', { a, b: dyPerMultiplier }, backend));
          taps.push(keep(run('Sum', { x: product }, backend, { axis: [0, 1, 2], keepDims: false })));
        }
      }
      const stacked = taps.length === 1 ? taps[0] : keep(run('Concat', taps, backend, { axis: 0 }));
      return run('Reshape', { x: stacked }, backend, { shape: [kh, kw, cin, mult] });
    });
  };
}
