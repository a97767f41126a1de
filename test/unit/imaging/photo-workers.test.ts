import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { ThumbnailStore } from '../../../src/main/db/thumbnail-store';
import { PhotoWorkers } from '../../../src/main/imaging/photo-workers';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Three plain 640×480 JPEGs in a fresh folder. */
async function photoFolder(): Promise<{ dir: string; files: string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-photo-workers-'));
  dirs.push(dir);
  const files = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const file = path.join(dir, `p${i}.jpg`);
      const pixels = Buffer.alloc(640 * 480 * 3, 40 + i * 60);
      writeFileSync(
        file,
        await sharp(pixels, { raw: { width: 640, height: 480, channels: 3 } })
          .jpeg()
          .toBuffer()
      );
      return file;
    })
  );
  return { dir, files };
}

describe('import worker threads', () => {
  it('start from TypeScript source (bundled on first use) and inspect photos off the main thread', async () => {
    const { dir, files } = await photoFolder();
    const workers = new PhotoWorkers(path.join(dir, 'thumbs.sqlite'), undefined, 2);
    try {
      const results = await Promise.all(
        files.map((absPath) =>
          workers.inspect({ absPath, size: statSync(absPath).size }, () => {
            throw new Error('inspected in the main thread');
          })
        )
      );
      expect(workers.threads).toBeGreaterThan(0);
      for (const r of results) {
        expect(r.status).toBe('ok');
        expect([r.width, r.height]).toEqual([640, 480]);
        // The worker stored the thumbnail itself; it never crosses to this thread.
        expect(r.thumb).toBeNull();
        expect(r.thumbStored).toBe(true);
      }
      expect(new Set(results.map((r) => r.hash)).size).toBe(3);
      const store = new ThumbnailStore(path.join(dir, 'thumbs.sqlite'));
      try {
        for (const r of results) {
          const thumb = await sharp(store.get(r.hash as string) as Buffer).metadata();
          expect(Math.max(thumb.width ?? 0, thumb.height ?? 0)).toBeLessThan(640);
        }
      } finally {
        store.close();
      }
      // A photo whose thumbnail is cached is not thumbnailed again.
      const again = await workers.inspect({ absPath: files[0], size: statSync(files[0]).size }, () => false);
      expect([again.thumb, again.thumbStored]).toEqual([null, undefined]);
    } finally {
      workers.close();
    }
  });

  it('hand the thumbnails back when they cannot store them (the cache is locked), so none is lost', async () => {
    const { dir, files } = await photoFolder();
    const file = path.join(dir, 'thumbs.sqlite');
    new ThumbnailStore(file).close();
    // Another connection holds the write lock until the workers' busy timeout (10 s) runs out.
    const holder = new BetterSqlite3(file);
    holder.prepare('BEGIN IMMEDIATE').run();
    const workers = new PhotoWorkers(file, undefined, 1);
    try {
      const results = await Promise.all(files.map((absPath) => workers.inspect({ absPath, size: statSync(absPath).size }, () => false)));
      for (const r of results) {
        expect(r.status).toBe('ok');
        expect(r.thumbStored).toBe(false);
        const thumb = await sharp(Buffer.from(r.thumb as Uint8Array)).metadata();
        expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 256, 192]);
      }
    } finally {
      workers.close();
      holder.prepare('ROLLBACK').run();
      holder.close();
    }
  }, 30_000);
});
