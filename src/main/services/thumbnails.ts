import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { openImage } from './image-source';

/** Longest side of a thumbnail, px. Sharp enough for a 2x grid cell of ~128 px. */
export const THUMBNAIL_SIZE = 256;
export const THUMBNAIL_CONTENT_TYPE = 'image/jpeg';

/**
 * Thumbnails on disk, keyed by content hash so a photo that moves, or appears in two projects,
 * is rendered once. Photos are never modified; only files under `<cacheDir>/thumbs` are written.
 */
export class ThumbnailCache {
  private readonly dir: string;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(cacheDir: string) {
    this.dir = path.join(cacheDir, 'thumbs');
  }

  pathFor(hash: string): string {
    return path.join(this.dir, hash.slice(0, 2), `${hash}.jpg`);
  }

  async has(hash: string): Promise<boolean> {
    try {
      await fsp.access(this.pathFor(hash));
      return true;
    } catch {
      return false;
    }
  }

  hasSync(hash: string): boolean {
    return existsSync(this.pathFor(hash));
  }

  /** Returns the thumbnail path, rendering it from `source` if missing. Throws if undecodable. */
  async ensure(hash: string, source: string): Promise<string> {
    if (await this.has(hash)) return this.pathFor(hash);
    let pending = this.inFlight.get(hash);
    if (!pending) {
      pending = this.render(hash, source).finally(() => this.inFlight.delete(hash));
      this.inFlight.set(hash, pending);
    }
    return pending;
  }

  private async render(hash: string, source: string): Promise<string> {
    const data = await decodeThumbnail(source);
    const target = this.pathFor(hash);
    // Write then rename, so a reader never sees half a file and a crash leaves no broken thumb.
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(temp, data);
      await fsp.rename(temp, target);
    } catch (err) {
      await fsp.rm(temp, { force: true }).catch(() => undefined);
      const reason = err instanceof Error ? err.message : String(err);
      throw new AppError('IO_ERROR', `Cannot write the thumbnail cache in ${this.dir} (${reason}); check the disk has space.`);
    }
    return target;
  }
}

/**
 * The photo itself could not be decoded (corrupt, truncated). Only this marks a photo skipped:
 * a full disk or an unwritable cache is the app's problem, and must not cost the photo its label.
 */
export class UndecodableImageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UndecodableImageError';
  }
}

async function decodeThumbnail(source: string): Promise<Buffer> {
  try {
    const image = await openImage(source);
    return await image
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80, mozjpeg: false })
      .toBuffer();
  } catch (err) {
    throw new UndecodableImageError((err instanceof Error ? err.message : String(err)).replace(/^Vips\w*: /, ''));
  }
}
