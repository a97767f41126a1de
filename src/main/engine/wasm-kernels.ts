/**
 * Gradient kernels the wasm backend does not ship. Without them conv layers cannot be
 * fine-tuned on machines that lack native TensorFlow.
 *
 * - Conv2DBackpropFilter: our own, composed only of kernels wasm has (PadV2, StridedSlice,
 *   Reshape, BatchMatMul, Concat). dW[i,j] = Σ_{n,oh,ow} x_pad[n, oh·s+i, ow·s+j, :]ᵀ · dy[n,oh,ow,:],
 *   i.e. for every kernel tap one (shifted input)ᵀ × dy matrix product. Any stride and padding.
 * - Depthwise conv gradients (MobileNetV2): run on the cpu backend's kernel for that one op.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmInputGradKernels } from './wasm-input-grads';

type TensorInfo = tf.TensorInfo;
type Attrs = tf.NamedAttrMap;

/** The parts of the wasm / cpu backends' public surface we rely on. */
interface DataBackend {
  readSync(dataId: object): tf.backend_util.BackendValues;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface WasmBackendLike extends DataBackend {
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): TensorInfo;
}
interface CpuBackendLike extends DataBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): TensorInfo;
}

/** Kernels training may need that wasm lacks and the cpu backend has; run there per op. */
export const CPU_FALLBACK_KERNELS = ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'];

let registered = false;

/** Registers the missing gradient kernels for 'wasm'. Idempotent. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilterWasm });
  }
  for (const name of CPU_FALLBACK_KERNELS) {
    if (!tf.getKernel(name, 'wasm') && tf.getKernel(name, 'cpu')) {
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: cpuFallback(name) });
    }
  }
  registerWasmInputGradKernels();
}

function wasmKernel(name: string): tf.KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm backend has no ${name} kernel`);
  return config.kernelFunc;
}

function run(name: string, inputs: tf.NamedTensorInfoMap | TensorInfo[], backend: object, attrs: Attrs): TensorInfo {
  const out = wasmKernel(name)({ inputs: inputs as tf.NamedTensorInfoMap, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/** Filter gradient of a 2-D convolution (NHWC, dilation 1), built from wasm kernels. */
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
  const { top, left, bottom, right } = info.padInfo;
  const [n] = x.shape;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  if (dy.shape[1] !== oh || dy.shape[2] !== ow)
    throw new Error(`Conv2DBackpropFilter (wasm): dy shape ${dy.shape} does not match output ${oh}x${ow}`);
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo): TensorInfo => (temps.push(t), t);
  try {
    const padded = keep(
      run('PadV2', { x }, backend, {
        paddings: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0]
        ],
        constantValue: 0
      })
    );
    const dyMat = keep(run('Reshape', { x: dy }, backend, { shape: [1, n * oh * ow, cout] }));
    const taps: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const shifted = keep(
          run('StridedSlice', { x: padded }, backend, {
            begin: [0, i, j, 0],
            end: [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, cin],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0
          })
        );
        const xMat = keep(run('Reshape', { x: shifted }, backend, { shape: [1, n * oh * ow, cin] }));
        taps.push(keep(run('BatchMatMul', { a: xMat, b: dyMat }, backend, { transposeA: true, transposeB: false })));
      }
    }
    const stacked = taps.length === 1 ? taps[0] : keep(run('Concat', taps, backend, { axis: 0 }));
    return run('Reshape', { x: stacked }, backend, { shape: [kh, kw, cin, cout] });
  } finally {
    for (const t of temps) (backend as DataBackend).disposeData(t.dataId);
  }
}

/** Runs one op on the cpu backend: copy inputs out of the wasm heap, copy results back in. */
export function cpuFallback(kernelName: string): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const wasm = backend as WasmBackendLike;
    const cpu = tf.findBackend('cpu') as unknown as CpuBackendLike | null;
    const kernel = tf.getKernel(kernelName, 'cpu');
    if (!cpu || !kernel) throw new Error(`${kernelName}: cpu fallback unavailable`);
    const cpuInputs: Record<string, TensorInfo> = {};
    for (const [key, t] of Object.entries(inputs)) {
      if (!t) continue;
      // readSync returns a view into the wasm heap, which may move; copy it.
      const values = wasm.readSync(t.dataId) as tf.backend_util.TypedArray;
      cpuInputs[key] = cpu.makeTensorInfo(t.shape, t.dtype, values.slice());
    }
    try {
      const out = kernel.kernelFunc({ inputs: cpuInputs, backend: cpu, attrs });
      const outs = Array.isArray(out) ? out : [out];
      const results = outs.map((o) => wasm.makeOutput(o.shape, o.dtype, undefined, cpu.readSync(o.dataId)));
      for (const o of outs) cpu.disposeData(o.dataId);
      return Array.isArray(out) ? results : results[0];
    } finally {
      for (const t of Object.values(cpuInputs)) cpu.disposeData(t.dataId);
    }
  };
}
