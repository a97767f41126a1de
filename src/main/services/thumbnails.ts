import { mkdirSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { ThumbnailStore, type ThumbnailEntry } from '../db/thumbnail-store';
import type { InspectTask, Inspection } from '../imaging/inspect-photo';
import { PhotoWorkers } from '../imaging/photo-workers';
import { renderThumbnail } from '../imaging/thumbnail-render';

export { THUMBNAIL_CONTENT_TYPE, THUMBNAIL_SIZE } from '../imaging/thumbnail-render';

/**
 * Thumbnails keyed by content hash, so a photo that moves, or appears in two projects, is
 * rendered once. They live in one SQLite file under the cache folder (see thumbnail-store.ts),
 * opened on first use. Photos are never modified.
 */
export class ThumbnailCache {
  readonly file: string;
  private store: ThumbnailStore | null = null;
  private readonly inFlight = new Map<string, Promise<Buffer>>();
  private readonly workers: PhotoWorkers;

  constructor(
    cacheDir: string,
    private readonly nativeBinding?: string
  ) {
    this.file = path.join(cacheDir, 'thumbnails.sqlite');
    this.workers = new PhotoWorkers(this.file, nativeBinding);
  }

  /**
   * Reads, hashes and checks one photo on an import worker, rendering its thumbnail when the
   * cache has none (store it with putMany). Never rejects for a bad photo, only for a crash.
   */
  inspect(task: InspectTask): Promise<Inspection> {
    this.open();
    return this.workers.inspect(task, (hash) => this.has(hash));
  }

  has(hash: string): boolean {
    return this.open().has(hash);
  }

  /** Stores thumbnails rendered elsewhere (the import workers). */
  putMany(entries: readonly ThumbnailEntry[]): void {
    try {
      this.open().putMany(entries);
    } catch (err) {
      throw cacheError(this.file, err);
    }
  }

  /**
   * The thumbnail's JPEG bytes, rendered from `source` when missing. Throws
   * UndecodablePhotoError / MissingPhotoError for the photo, IO_ERROR for the cache.
   */
  async ensure(hash: string, source: string): Promise<Buffer> {
    const cached = this.open().get(hash);
    if (cached) return cached;
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.render(hash, source).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    return pending;
  }

  close(): void {
    this.workers.close();
    this.store?.close();
    this.store = null;
  }

  private async render(hash: string, source: string): Promise<Buffer> {
    const data = await renderThumbnail(source);
    this.putMany([{ hash, data }]);
    return data;
  }

  private open(): ThumbnailStore {
    if (this.store) return this.store;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      this.store = new ThumbnailStore(this.file, { nativeBinding: this.nativeBinding });
      // Earlier versions kept one file per thumbnail in cache/thumbs: now dead weight.
      void fsp.rm(path.join(path.dirname(this.file), 'thumbs'), { recursive: true, force: true }).catch(() => undefined);
    } catch (err) {
      throw cacheError(this.file, err);
    }
    return this.store;
  }
}

function cacheError(file: string, err: unknown): AppError {
  const reason = err instanceof Error ? err.message : String(err);
  return new AppError(
    'IO_ERROR',
    `Cannot write the thumbnail cache ${file} (${reason}); check the disk has space and the folder is writable.`
  );
}
