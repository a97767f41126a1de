/**
 * Entry of an import worker thread: inspects photos (read, hash, probe, thumbnail) off the main
 * thread, so a large import keeps serve mode and the app responsive. Checks the thumbnail cache
 * itself (read-only use of its own connection); the main thread stores what comes back.
 */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { ThumbnailStore } from '../db/thumbnail-store';
import { inspectPhoto } from './inspect-photo';
import type { WorkerReply, WorkerTask } from './worker-protocol';

// Every photo is opened once: libvips' operation cache would only hold memory.
sharp.cache(false);

const stores = new Map<string, ThumbnailStore>();

function storeFor(file: string, nativeBinding?: string): ThumbnailStore {
  let store = stores.get(file);
  if (!store) {
    store = new ThumbnailStore(file, { nativeBinding });
    stores.set(file, store);
  }
  return store;
}

parentPort?.on('message', (task: WorkerTask) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      const store = storeFor(task.thumbnailFile, task.nativeBinding);
      const result = await inspectPhoto(task, (hash) => store.has(hash));
      // A copy owns its memory (sharp's output buffers are external), so it can be transferred.
      reply = { id: task.id, ok: true, result: { ...result, thumb: result.thumb ? new Uint8Array(result.thumb) : null } };
    } catch (err) {
      reply = { id: task.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    const transfer = reply.ok && reply.result.thumb ? [reply.result.thumb.buffer as ArrayBuffer] : [];
    parentPort?.postMessage(reply, transfer);
  })();
});
