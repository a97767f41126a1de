/**
 * A frozen forward pass on several single-thread ONNX Runtime sessions, each on its own worker
 * thread: a batch is cut into one contiguous share per session, the shares run at once, and the
 * outputs are put back together in order. Every photo goes through the same graph on one
 * thread, so which session ran it does not change its output.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { InferenceInfo } from '../../../shared/dto';
import { packImages, type ForwardSpec, type FrozenForward } from './forward-spec';
import { OrtThread } from './ort-threads';

/**
 * Opens `count` sessions of `model` one after another (opening folds the Winograd weights,
 * a passing peak of memory best not doubled). Any failure closes what was opened and throws.
 */
export async function openOrtThreads(
  count: number,
  model: string | Uint8Array,
  options: InferenceSession.SessionOptions
): Promise<OrtThread[]> {
  const threads: OrtThread[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const thread = new OrtThread();
      threads.push(thread);
      await thread.open(model, options);
    }
    return threads;
  } catch (err) {
    await Promise.all(threads.map((t) => t.close()));
    throw err;
  }
}

/** Contiguous shares of `n` photos over `k` sessions, as even as possible, none empty. */
export function shares(n: number, k: number): { start: number; count: number }[] {
  const parts = Math.min(n, k);
  return Array.from({ length: parts }, (_, i) => {
    const start = Math.floor((i * n) / parts);
    return { start, count: Math.floor(((i + 1) * n) / parts) - start };
  });
}

export function parallelOrtForward(threads: OrtThread[], spec: ForwardSpec, outputShape: number[], info: InferenceInfo): FrozenForward {
  const size = spec.inputSize;
  const perPhoto = outputShape.reduce((a, b) => a * b, 1);
  let released = false;
  return {
    info,
    spec,
    outputShape,
    async run(images) {
      if (images.length === 0) return new Float32Array(0);
      if (released) throw new Error('frozen forward: the session was released');
      const parts = shares(images.length, threads.length);
      const outs = await Promise.all(
        parts.map(({ start, count }, i) => threads[i].run(packImages(images.slice(start, start + count), size), [count, size, size, 3]))
      );
      const all = new Float32Array(images.length * perPhoto);
      parts.forEach(({ start }, i) => all.set(outs[i], start * perPhoto));
      return all;
    },
    async dispose() {
      if (released) return;
      released = true;
      await Promise.all(threads.map((t) => t.close()));
    }
  };
}
