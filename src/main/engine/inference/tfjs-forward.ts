/**
 * The tfjs fallback of a frozen forward pass: the same steps as the exported graph (see
 * ForwardSpec), as tfjs ops on the model it was built from. Used when ONNX Runtime cannot load
 * or the exporter does not know a layer, and as the reference the ONNX path is tested against.
 */
import * as tf from '@tensorflow/tfjs';
import type { InferenceInfo } from '../../../shared/dto';
import { currentBackend, initBackend } from '../backend';
import { imagesToTensor } from '../image';
import { preprocessImages } from '../preprocessing';
import { outputShapeOf, type ForwardSpec, type FrozenForward } from './forward-spec';

export function tfjsForward(model: tf.LayersModel, spec: ForwardSpec, info: InferenceInfo): FrozenForward {
  const outputShape = outputShapeOf(model.outputs[0].shape, spec);
  const one = (x: tf.Tensor4D): tf.Tensor => {
    const y = model.predict(preprocessImages(x, spec.preprocessing)) as tf.Tensor;
    if (spec.pool === 'none' || y.rank !== 4) return y;
    return spec.pool === 'max' ? tf.max(y, [1, 2]) : tf.mean(y, [1, 2]);
  };
  return {
    info,
    spec,
    outputShape,
    async run(images) {
      if (images.length === 0) return new Float32Array(0);
      const out = tf.tidy(() => {
        const x = imagesToTensor([...images], spec.inputSize);
        if (spec.views === 1) return one(x);
        const [a, b] = [one(x), one(tf.reverse(x, 2) as tf.Tensor4D)];
        return spec.merge === 'concat' ? tf.concat([a, b], 1) : tf.div(tf.add(a, b), 2);
      });
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    },
    async dispose() {
      // The model belongs to the caller; this pass holds no tensors between runs.
    }
  };
}

/** InferenceInfo for tfjs running the frozen passes, with why ONNX Runtime was not used. */
export async function tfjsInferenceInfo(unavailable: { name: string; reason: string }[]): Promise<InferenceInfo> {
  const backend = (await currentBackend()) ?? (await initBackend());
  return {
    runtime: 'tfjs',
    provider: backend.backend,
    device: backend.device,
    threads: null,
    label: `TensorFlow.js · ${backend.label.replace(/\s*\(.*\)\s*$/, '')}`,
    unavailable
  };
}
