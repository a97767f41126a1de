/**
 * ONNX Runtime sessions on worker threads of the training process: each thread holds one
 * session and runs one batch at a time, so sessions on different threads compute at once.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';

type Task =
  | { kind: 'open'; model: string | Uint8Array; outputName: string; options: InferenceSession.SessionOptions }
  | { kind: 'run'; pixels: Uint8Array; dims: number[] }
  | { kind: 'release' };

type Reply = { id: number; ok: true; output?: Float32Array } | { id: number; ok: false; message: string };

/**
 * The thread's whole program, plain JavaScript run with `eval`: it needs nothing but ONNX Runtime
 * (its path arrives as workerData), so it starts in ~0.1 s where a TypeScript entry under tsx
 * (CLI, serve mode, tests) took ~2 s, and the app's bundle needs no extra entry. A session run
 * blocks its thread; here it blocks only this one. The output is copied (ORT's may live outside
 * the JS heap) so it can be transferred back.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session = null;
let outputName = '';
async function handle(task) {
  if (task.kind === 'open') {
    session = await ort.InferenceSession.create(task.model, task.options);
    outputName = task.outputName;
    return { id: task.id, ok: true };
  }
  if (task.kind === 'run') {
    if (!session) throw new Error('no session is open in this thread');
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('uint8', task.pixels, task.dims) });
    return { id: task.id, ok: true, output: new Float32Array(out[outputName].data) };
  }
  if (session) await session.release();
  session = null;
  return { id: task.id, ok: true };
}
parentPort.on('message', (task) => {
  handle(task).then(
    (reply) => parentPort.postMessage(reply, reply.output ? [reply.output.buffer] : []),
    (err) => parentPort.postMessage({ id: task.id, ok: false, message: err instanceof Error ? err.message : String(err) })
  );
});
`;

/** The thread's JS holds a batch of bytes at a time; the session's memory is native. */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 128 };

export class OrtThread {
  private readonly worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { ortPath: createRequire(import.meta.url).resolve('onnxruntime-node') },
    resourceLimits: THREAD_LIMITS
  });
  private readonly pending = new Map<number, { resolve: (r: Float32Array | undefined) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  constructor() {
    this.worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) p?.resolve(reply.output);
      else p?.reject(new Error(reply.message));
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`ONNX Runtime thread stopped (exit code ${code})`)));
  }

  private request(task: Task, transfer: ArrayBuffer[] = []): Promise<Float32Array | undefined> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...task, id }, transfer);
    });
  }

  async open(model: string | Uint8Array, outputName: string, options: InferenceSession.SessionOptions): Promise<void> {
    await this.request({ kind: 'open', model, outputName, options });
  }

  /** Runs one batch of [N,S,S,3] bytes; the bytes move to the thread (`pixels` is emptied). */
  async run(pixels: Uint8Array, dims: number[]): Promise<Float32Array> {
    const out = await this.request({ kind: 'run', pixels, dims }, [pixels.buffer as ArrayBuffer]);
    if (!out) throw new Error('ONNX Runtime thread returned no output');
    return out;
  }

  /** Releases the session and stops the thread. */
  async close(): Promise<void> {
    if (!this.dead) await this.request({ kind: 'release' }).catch(() => undefined);
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
