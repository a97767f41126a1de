/** A frozen forward pass on an ONNX Runtime session over an exported graph. */
import type { InferenceSession } from 'onnxruntime-node';
import type { InferenceInfo } from '../../../shared/dto';
import { OUTPUT_NAME } from '../onnx/encode-onnx';
import type { OrtModule } from '../onnx/runtime';
import { packImages, type ForwardSpec, type FrozenForward } from './forward-spec';

export function ortForward(
  ort: OrtModule,
  session: InferenceSession,
  spec: ForwardSpec,
  outputShape: number[],
  info: InferenceInfo
): FrozenForward {
  const size = spec.inputSize;
  let released = false;
  return {
    info,
    spec,
    outputShape,
    async run(images) {
      if (images.length === 0) return new Float32Array(0);
      if (released) throw new Error('frozen forward: the session was released');
      const pixels = new ort.Tensor('uint8', packImages(images, size), [images.length, size, size, 3]);
      const out = await session.run({ [session.inputNames[0]]: pixels });
      return out[OUTPUT_NAME].data as Float32Array;
    },
    async dispose() {
      if (released) return;
      released = true;
      await session.release();
    }
  };
}
