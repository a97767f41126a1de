/**
 * A pool of import worker threads, one per core: each inspects photos (photo-worker.ts) with a
 * couple in flight so file reads overlap decoding. Started on first use and stopped when idle,
 * so a project that is only being labeled holds no threads. Where threads cannot start, photos
 * are inspected in this thread instead (slower, same results).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inspectPhoto, type InspectTask, type Inspection } from './inspect-photo';
import type { WorkerReply, WorkerTask } from './worker-protocol';

/** Photos in flight per worker: one decoding while the next is read from disk. */
const PER_WORKER = 2;
/** Idle workers are stopped after this long, ms. */
const IDLE_MS = 5_000;

interface Slot {
  worker: Worker;
  busy: number;
}

interface Pending {
  resolve: (r: Inspection) => void;
  reject: (e: Error) => void;
  slot: Slot;
}

export class PhotoWorkers {
  private slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Array<() => void> = [];
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private unavailable = false;

  constructor(
    private readonly thumbnailFile: string,
    private readonly nativeBinding?: string,
    readonly size = Math.max(1, os.availableParallelism())
  ) {}

  /** Inspects one photo; `hasThumbnail` is used only when inspecting in this thread. */
  inspect(task: InspectTask, hasThumbnail: (hash: string) => boolean): Promise<Inspection> {
    if (this.unavailable) return inspectPhoto(task, hasThumbnail);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    return new Promise((resolve, reject) => {
      const start = (): void => this.dispatch(task, resolve, reject, hasThumbnail);
      if (this.pick() !== null) start();
      else this.queue.push(start);
    });
  }

  /** Stops every worker; tasks still running reject. */
  close(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    for (const slot of this.slots) void slot.worker.terminate();
    this.slots = [];
    for (const p of this.pending.values()) p.reject(new Error('The photo workers were stopped.'));
    this.pending.clear();
  }

  private dispatch(task: InspectTask, resolve: Pending['resolve'], reject: Pending['reject'], hasThumbnail: (h: string) => boolean): void {
    const choice = this.pick();
    const slot = choice === 'spawn' ? this.spawn() : choice;
    if (slot === null) {
      inspectPhoto(task, hasThumbnail).then(resolve, reject);
      return;
    }
    const id = this.nextId++;
    if (slot.busy++ === 0) slot.worker.ref();
    this.pending.set(id, { resolve, reject, slot });
    const message: WorkerTask = {
      id,
      absPath: task.absPath,
      size: task.size,
      thumbnailFile: this.thumbnailFile,
      nativeBinding: this.nativeBinding
    };
    slot.worker.postMessage(message);
  }

  /** An idle worker, else a new one while below the pool size, else the least busy with room. */
  private pick(): Slot | 'spawn' | null {
    const idle = this.slots.find((s) => s.busy === 0);
    if (idle) return idle;
    if (this.slots.length < this.size) return 'spawn';
    const least = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    return least.busy < PER_WORKER ? least : null;
  }

  private spawn(): Slot | null {
    let worker: Worker;
    try {
      worker = startWorker();
    } catch (err) {
      console.error('import workers unavailable, inspecting photos in the main thread:', err);
      this.unavailable = true;
      return null;
    }
    worker.unref();
    const slot: Slot = { worker, busy: 0 };
    worker.on('message', (reply: WorkerReply) => this.settle(reply));
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => this.fail(slot, new Error(`A photo worker stopped (exit code ${code}).`)));
    this.slots.push(slot);
    return slot;
  }

  private settle(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    // An idle worker must not keep the process alive (a CLI exits when its work is done).
    if (--p.slot.busy === 0) p.slot.worker.unref();
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.message));
    this.next();
  }

  private next(): void {
    const start = this.queue.shift();
    if (start) start();
    else if (this.pending.size === 0 && this.idleTimer === null) {
      this.idleTimer = setTimeout(() => this.close(), IDLE_MS);
      this.idleTimer.unref();
    }
  }

  /** A crashed worker fails only its own photos; the next task starts a fresh one. */
  private fail(slot: Slot, err: Error): void {
    if (!this.slots.includes(slot)) return;
    this.slots = this.slots.filter((s) => s !== slot);
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(err);
    }
    this.next();
  }
}

/**
 * Under tsx (CLI, serve mode, tests) the worker is TypeScript source: it starts through a tiny
 * ES module that registers tsx in the new thread. Bundled (Electron), photo-worker.js sits
 * beside the main bundle.
 */
/**
 * A worker holds one or two photos at a time, and their bytes live outside the JS heap: a small
 * young generation (V8's default is 16 MB per semi-space) keeps each thread's footprint small.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

function startWorker(): Worker {
  const source = new URL('./photo-worker.ts', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./photo-worker.js', import.meta.url), { resourceLimits: WORKER_LIMITS });
  }
  const tsxApi = pathToFileURL(tsxEsmApi()).href;
  const boot = `import { register } from ${JSON.stringify(tsxApi)}; register(); await import(${JSON.stringify(source.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { resourceLimits: WORKER_LIMITS });
}

/** tsx's ES-module API file, found through its package.json exports (require() would pick the CommonJS one). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return path.join(path.dirname(manifest), pkg.exports['./esm/api'].import.default);
}
