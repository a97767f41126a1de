/**
 * A pool of import worker threads, one per core: each inspects photos (photo-worker.ts) with a
 * couple in flight so file reads overlap decoding. Started on first use and stopped when idle,
 * so a project that is only being labeled holds no threads. Where threads cannot start, photos
 * are inspected in this thread instead (slower, same results).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inspectPhoto, type InspectTask, type Inspection } from './inspect-photo';
import type { WorkerReply, WorkerTask } from './worker-protocol';

/**
 * Photos in flight per worker. Beyond overlapping reads with decoding, the backlog (~60 ms of
 * work) keeps the workers busy while the main thread writes a 500-photo chunk (~50 ms on the
 * import bench), when it can hand out nothing new. Each waiting photo costs only its file's bytes.
 */
const PER_WORKER = 16;
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

  /** Worker threads alive now (0 before first use, after the idle stop, or where threads cannot start). */
  get threads(): number {
    return this.slots.length;
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
 * A worker decodes one photo at a time, and photo bytes live outside the JS heap: a small
 * young generation (V8's default is 16 MB per semi-space) keeps each thread's footprint small.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

/**
 * Bundled (Electron), photo-worker.js sits beside the main bundle. Under tsx (CLI, serve mode,
 * tests, benches) the worker is TypeScript source: it is bundled the same way, once per process,
 * with esbuild (tsx's own compiler). Registering tsx in each thread instead costs ~18 MB per
 * worker (a loader-hooks thread and the compiler's state), so a dev-mode import would measure
 * ~37 MB above the shipped app's.
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./photo-worker.js', import.meta.url), { resourceLimits: WORKER_LIMITS });
  }
  return new Worker(devWorkerBundle(), { resourceLimits: WORKER_LIMITS });
}

let devBundle: URL | null = null;

/**
 * photo-worker.ts bundled into node_modules/.cache (where its packages resolve, left external).
 * The file is named by its content hash and written by rename, so processes running side by side
 * (the test suite) share it safely and an edited source gets a new file.
 */
function devWorkerBundle(): URL {
  if (devBundle !== null) return devBundle;
  const source = fileURLToPath(new URL('./photo-worker.ts', import.meta.url));
  const built = tsxEsbuild().buildSync({
    entryPoints: [source],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent'
  });
  const code = built.outputFiles[0].contents;
  const dir = fileURLToPath(new URL('../../../node_modules/.cache/transfer-studio', import.meta.url));
  const file = path.join(dir, `photo-worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, code);
    renameSync(temporary, file);
  }
  return (devBundle = pathToFileURL(file));
}

/** The part of esbuild's API used here. */
interface Esbuild {
  buildSync(options: Record<string, unknown>): { outputFiles: Array<{ contents: Uint8Array }> };
}

/** The esbuild tsx itself compiles with (tsx is a dependency, so it is always installed with it). */
function tsxEsbuild(): Esbuild {
  const tsxManifest = createRequire(import.meta.url).resolve('tsx/package.json');
  return createRequire(tsxManifest)('esbuild') as Esbuild;
}
