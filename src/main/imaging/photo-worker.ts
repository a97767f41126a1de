/**
 * Entry of an import worker thread: inspects photos (read, hash, probe, thumbnail) off the main
 * thread, so a large import keeps serve mode and the app responsive. Checks the thumbnail cache
 * itself and stores the thumbnails it makes there, a batch per transaction, before answering for
 * them: the thumbnails never cross to the main thread, which keeps that thread's time for the
 * project's writes and its memory free of ~12 KB per photo of garbage. When storing fails (disk
 * full, say), the thumbnails go back with the answers and the main thread's store reports it.
 */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { ThumbnailStore, type ThumbnailEntry } from '../db/thumbnail-store';
import { inspectPhoto } from './inspect-photo';
import type { WorkerReply, WorkerTask } from './worker-protocol';

// Every photo is opened once: libvips' operation cache would only hold memory.
sharp.cache(false);

/** Thumbnails stored per transaction at most; fewer when the worker runs out of photos. */
const BATCH = 16;

type Answer = Extract<WorkerReply, { ok: true }>;

interface Held {
  task: WorkerTask;
  answer: Answer;
  entry: ThumbnailEntry;
}

const stores = new Map<string, ThumbnailStore>();
const held: Held[] = [];
let running = 0;

function storeFor(task: WorkerTask): ThumbnailStore {
  let store = stores.get(task.thumbnailFile);
  if (!store) {
    store = new ThumbnailStore(task.thumbnailFile, { nativeBinding: task.nativeBinding });
    stores.set(task.thumbnailFile, store);
  }
  return store;
}

parentPort?.on('message', (task: WorkerTask) => {
  running++;
  void inspect(task).then((answer) => {
    running--;
    if (answer !== null) post(answer);
    if (held.length >= BATCH || (running === 0 && held.length > 0)) storeHeld();
  });
});

/** The answer to send now, or null when it waits for its thumbnail to be stored. */
async function inspect(task: WorkerTask): Promise<WorkerReply | null> {
  try {
    const store = storeFor(task);
    const result = await inspectPhoto(task, (hash) => store.has(hash));
    if (result.thumb === null || result.hash === null) return { id: task.id, ok: true, result };
    held.push({
      task,
      answer: { id: task.id, ok: true, result: { ...result, thumb: null, thumbStored: true } },
      entry: { hash: result.hash, data: result.thumb }
    });
    return null;
  } catch (err) {
    return { id: task.id, ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}

/** Stores the held thumbnails (one transaction per cache file), then sends their answers. */
function storeHeld(): void {
  const batch = held.splice(0);
  for (const file of new Set(batch.map((h) => h.task.thumbnailFile))) {
    const group = batch.filter((h) => h.task.thumbnailFile === file);
    try {
      storeFor(group[0].task).putMany(group.map((h) => h.entry));
      for (const h of group) post(h.answer);
    } catch {
      for (const h of group) post({ ...h.answer, result: { ...h.answer.result, thumb: h.entry.data, thumbStored: false } });
    }
  }
}

function post(reply: WorkerReply): void {
  if (!reply.ok || reply.result.thumb === null) {
    parentPort?.postMessage(reply);
    return;
  }
  // A copy owns its memory (sharp's output buffers are external), so it can be transferred.
  const thumb = new Uint8Array(reply.result.thumb);
  parentPort?.postMessage({ ...reply, result: { ...reply.result, thumb } }, [thumb.buffer as ArrayBuffer]);
}
