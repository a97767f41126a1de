/**
 * ONNX Runtime sessions on worker threads of the training process: each thread holds one
 * session and runs one batch at a time, so sessions on different threads compute at once.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import { tsxEsmApi } from '../../imaging/photo-workers';
import type { OrtThreadReply, OrtThreadTask } from './ort-thread-protocol';

/** The thread's JS holds a batch of bytes at a time; the session's memory is native. */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 };

type Task = OrtThreadTask extends infer T ? (T extends OrtThreadTask ? Omit<T, 'id'> : never) : never;

/**
 * Under tsx (CLI, serve mode, tests) the entry is TypeScript source and starts through a tiny
 * ES module that registers tsx in the new thread; bundled (Electron), ort-thread.js sits beside
 * the training worker's bundle (electron.vite.config.ts).
 */
function startThread(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./ort-thread.js', import.meta.url), { resourceLimits: THREAD_LIMITS });
  const source = new URL('./ort-thread-entry.ts', import.meta.url);
  const tsxApi = pathToFileURL(tsxEsmApi()).href;
  const boot = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(source.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { resourceLimits: THREAD_LIMITS });
}

export class OrtThread {
  private readonly worker = startThread();
  private readonly pending = new Map<number, { resolve: (r: Float32Array | undefined) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  constructor() {
    this.worker.on('message', (reply: OrtThreadReply) => {
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

  async open(model: string | Uint8Array, options: InferenceSession.SessionOptions): Promise<void> {
    await this.request({ kind: 'open', model, options });
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
