/**
 * Gradient kernels for the wasm backend: the ones it does not ship, and faster ones where its
 * own is slow. Without them conv layers cannot be fine-tuned on machines that lack native
 * TensorFlow.
 *
 * - Conv2DBackpropFilter (missing) and Conv2DBackpropInput (slow for stride 1): forward
 *   convolutions on XNNPACK, see wasm-conv-grads.ts.
 * - Depthwise conv gradients (missing; MobileNetV2): from wasm kernels where the shape allows,
 *   else the cpu backend's kernel for that one op, see wasm-depthwise-grads.ts.
 * - The batch-norm gradient tiles where broadcasting does the same (see batchnorm-grad.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerBatchNormGradient } from './batchnorm-grad';
import { conv2dBackpropFilterWasm, conv2dBackpropInputWasm } from './wasm-conv-grads';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './wasm-depthwise-grads';
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
  const ownInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (ownInput) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInputWasm(ownInput.kernelFunc) });
  }
  const depthwise = {
    DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterWasm,
    DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputWasm
  };
  for (const name of CPU_FALLBACK_KERNELS) {
    if (!tf.getKernel(name, 'wasm') && tf.getKernel(name, 'cpu')) {
      tf.registerKernel({
        kernelName: name,
        backendName: 'wasm',
        kernelFunc: depthwise[name as keyof typeof depthwise](cpuFallback(name))
      });
    }
  }
  registerBatchNormGradient();
  // Wraps the kernels above: filter transforms cached during gradient ascent, MaxPoolGrad fixed.
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
