/**
 * A tiny exported graph (RGB bytes → [-1,1] → per-channel mean) that a provider must run
 * correctly before it is trusted: creating a session alone proves little on a GPU provider.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { encodeOnnx, OUTPUT_NAME } from './encode-onnx';
import type { IrGraph } from './ir';

const SIZE = 4;
let bytes: Uint8Array | null = null;

export function probeModel(): Uint8Array {
  if (bytes) return bytes;
  const graph: IrGraph = {
    input: { name: 'images', size: SIZE },
    nodes: [
      { op: 'image-input', name: 'to_float', output: 'to_float', input: 'images' },
      { op: 'preprocess', name: 'pre', output: 'pre', input: 'to_float', mode: 'tf' },
      { op: 'global-pool', name: 'mean', output: 'mean', input: 'pre', kind: 'avg' }
    ],
    output: 'mean',
    shapes: new Map([
      ['images', [null, SIZE, SIZE, 3]],
      ['to_float', [null, SIZE, SIZE, 3]],
      ['pre', [null, SIZE, SIZE, 3]],
      ['mean', [null, 3]]
    ])
  };
  bytes = encodeOnnx(graph, 'probe');
  return bytes;
}

/** Runs the probe on a constant image (R 0, G 255, B 127.5-ish) and checks the answer. */
export async function probeRuns(ort: typeof import('onnxruntime-node'), session: InferenceSession): Promise<void> {
  const pixels = new Uint8Array(SIZE * SIZE * 3);
  for (let p = 0; p < SIZE * SIZE; p++) pixels.set([0, 255, 51], p * 3);
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('uint8', pixels, [1, SIZE, SIZE, 3]) });
  const got = out[OUTPUT_NAME].data as Float32Array;
  const want = [-1, 1, 51 / 127.5 - 1];
  if (got.length !== 3 || want.some((v, i) => Math.abs(got[i] - v) > 1e-3)) {
    throw new Error(`computed [${Array.from(got).join(', ')}] for a known image, expected [${want.join(', ')}]`);
  }
}
