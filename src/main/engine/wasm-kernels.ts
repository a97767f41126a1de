/**
 * Gradient kernels for the wasm backend: the ones it does not ship, and faster ones where its
 * own is slow. Without them conv layers cannot be fine-tuned on machines that lack native
 * TensorFlow.
 *
 * - Conv2DBackpropFilter (missing): forward convolutions on XNNPACK, see wasm-conv-grads.ts.
 * - Depthwise conv gradients (missing; MobileNetV2): the filter gradient from wasm kernels where
 *   the shape allows (wasm-depthwise-grads.ts), else the cpu backend's kernel for that one op.
 * - Input gradients of stride-1 convolutions, plain and depthwise (wasm's own is slow or
 *   missing): as convolutions, see wasm-input-grads.ts, which wraps the kernels registered here.
 * - The batch-norm gradient tiles where broadcasting does the same (see batchnorm-grad.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormGradient } from './batchnorm-grad';
import { conv2dBackpropFilterWasm } from './wasm-conv-grads';
import { depthwiseBackpropFilterWasm } from './wasm-depthwise-grads';
import { registerWasmInputGradKernels } from './wasm-input-grads';

export { conv2dBackpropFilterWasm };

type TensorInfo = tf.TensorInfo;

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
      const fallback = cpuFallback(name);
      const kernelFunc = name === 'DepthwiseConv2dNativeBackpropFilter' ? depthwiseBackpropFilterWasm(fallback) : fallback;
      tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
    }
  }
  registerBatchNormGradient();
  // Stride-1 input gradients (plain and depthwise) as convolutions, over the kernels above; MaxPoolGrad fixed.
  registerWasmInputGradKernels();
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
