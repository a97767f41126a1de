/** Messages between the training process and its ONNX Runtime worker threads (ort-thread-entry.ts). */
import type { InferenceSession } from 'onnxruntime-node';

export type OrtThreadTask =
  | { id: number; kind: 'open'; model: string | Uint8Array; options: InferenceSession.SessionOptions }
  | { id: number; kind: 'run'; pixels: Uint8Array; dims: number[] }
  | { id: number; kind: 'release' };

export type OrtThreadReply = { id: number; ok: true; output?: Float32Array } | { id: number; ok: false; message: string };
