/**
 * A frozen forward pass on several single-thread ONNX Runtime sessions, each on its own worker
 * thread. Every photo goes through the same graph on one thread, so which session ran it does
 * not change its output.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { InferenceInfo } from '../../../shared/dto';
import { OUTPUT_NAME } from '../onnx/encode-onnx';
import { packImages, type ForwardSpec, type FrozenForward } from './forward-spec';
import { OrtThread } from './ort-threads';

/**
 * Starts `count` threads at once (each loads ONNX Runtime meanwhile), then opens their sessions
 * one after another: opening folds the Winograd weights, a passing peak of memory best not
 * doubled. Any failure closes every thread and throws.
 */
export async function openOrtThreads(
  count: number,
  model: string | Uint8Array,
  options: InferenceSession.SessionOptions
): Promise<OrtThread[]> {
  const threads = Array.from({ length: count }, () => new OrtThread());
  try {
    for (const thread of threads) await thread.open(model, OUTPUT_NAME, options);
    return threads;
  } catch (err) {
    await Promise.all(threads.map((t) => t.close()));
    throw err;
  }
}

interface Task {
  pixels: Uint8Array;
  resolve: (out: Float32Array) => void;
  reject: (err: Error) => void;
}

/**
 * Photos go one by one to whichever session is free, so a session slowed by other programs on
 * the cores never holds the others up (equal shares per batch measured no faster than one
 * 2-thread session on a busy machine: every batch waited for its slowest share). Callers keep
 * `concurrency` batches in flight so no session waits between batches.
 */
export function parallelOrtForward(threads: OrtThread[], spec: ForwardSpec, outputShape: number[], info: InferenceInfo): FrozenForward {
  const size = spec.inputSize;
  const perPhoto = outputShape.reduce((a, b) => a * b, 1);
  const queue: Task[] = [];
  const idle = [...threads];
  let released = false;
  const pump = (): void => {
    while (idle.length > 0 && queue.length > 0) {
      const thread = idle.shift() as OrtThread;
      const task = queue.shift() as Task;
      thread
        .run(task.pixels, [1, size, size, 3])
        .then(task.resolve, task.reject)
        .finally(() => {
          idle.push(thread);
          pump();
        });
    }
  };
  const one = (image: Uint8Array) =>
    new Promise<Float32Array>((resolve, reject) => {
      queue.push({ pixels: packImages([image], size), resolve, reject });
      pump();
    });
  return {
    info,
    spec,
    outputShape,
    concurrency: threads.length,
    async run(images) {
      if (released) throw new Error('frozen forward: the session was released');
      const outs = await Promise.all(images.map(one));
      const all = new Float32Array(images.length * perPhoto);
      outs.forEach((out, i) => all.set(out, i * perPhoto));
      return all;
    },
    async dispose() {
      if (released) return;
      released = true;
      await Promise.all(threads.map((t) => t.close()));
    }
  };
}
