import { existsSync, promises as fsp } from 'node:fs';
import path from 'node:path';
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
    const target = this.pathFor(hash);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const image = await openImage(source);
    const data = await image
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80, mozjpeg: false })
      .toBuffer();
    // Write then rename, so a reader never sees half a file and a crash leaves no broken thumb.
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fsp.writeFile(temp, data);
    await fsp.rename(temp, target);
    return target;
  }
}
