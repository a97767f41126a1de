/**
 * Entry of an ONNX Runtime worker thread: holds one session and runs the batches its parent
 * sends, so several single-thread sessions compute at once (see parallel-forward.ts). A session
 * run blocks its thread; here it blocks only this one.
 */
import { parentPort } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import { OUTPUT_NAME } from '../onnx/encode-onnx';
import { loadOnnxRuntime } from '../onnx/runtime';
import type { OrtThreadReply, OrtThreadTask } from './ort-thread-protocol';

let session: InferenceSession | null = null;

async function handle(task: OrtThreadTask): Promise<OrtThreadReply> {
  const load = await loadOnnxRuntime();
  if (!load.ok) throw new Error(load.reason);
  const { ort } = load;
  switch (task.kind) {
    case 'open': {
      const model = task.model;
      session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, task.options)
          : await ort.InferenceSession.create(model, task.options);
      return { id: task.id, ok: true };
    }
    case 'run': {
      if (!session) throw new Error('no session is open in this thread');
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('uint8', task.pixels, task.dims) });
      // A copy owns its memory (ORT's output may live outside the JS heap), so it can be transferred.
      return { id: task.id, ok: true, output: new Float32Array(out[OUTPUT_NAME].data as Float32Array) };
    }
    case 'release':
      await session?.release();
      session = null;
      return { id: task.id, ok: true };
  }
}

parentPort?.on('message', (task: OrtThreadTask) => {
  void handle(task).then(
    (reply) => parentPort?.postMessage(reply, reply.ok && reply.output ? [reply.output.buffer as ArrayBuffer] : []),
    (err: unknown) => parentPort?.postMessage({ id: task.id, ok: false, message: err instanceof Error ? err.message : String(err) })
  );
});
