/**
 * A 20,000-photo project for the large-grid e2e and the grid bench. The photos (tiny distinct
 * PNGs made by sharp) and the imported project with its thumbnail cache are kept in the OS
 * temp folder between runs: building them once takes minutes, reusing them takes a second.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { migrations } from '../../src/main/db/migrations/index';
import { createApp, createDirectClient } from '../../src/main/services/app';
import { localAppOptions } from '../../src/main/server/app-options';
import { mapPool } from '../../src/main/services/pool';

export const LARGE_COUNT = 20_000;
const VERSION = 'v1';
const ROOT = path.join(os.tmpdir(), `tstudio-large-grid-${LARGE_COUNT}-${VERSION}`);
const SIDE = 32;
const PER_FOLDER = 1000;

export interface LargeProject {
  /** The project file. */
  project: string;
  /** User data folder whose cache/ holds the thumbnails; pass to serve with --user-data. */
  userData: string;
  photos: number;
}

/** Pixels that differ for every i, so no two files share a content hash. */
function pixels(i: number): Buffer {
  const buf = Buffer.alloc(SIDE * SIDE * 3);
  const hue = (i * 137) % 360;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const o = (y * SIDE + x) * 3;
      buf[o] = (hue + x * 4) & 255;
      buf[o + 1] = ((i >> 8) & 255) ^ (y * 6);
      buf[o + 2] = i & 255;
    }
  }
  return buf;
}

async function makePhotos(dir: string, log: (line: string) => void): Promise<void> {
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return;
  log(`large-project: generating ${LARGE_COUNT} photos in ${dir}…`);
  const indices = Array.from({ length: LARGE_COUNT }, (_, i) => i);
  await mapPool(indices, 8, async (i) => {
    const folder = path.join(dir, `batch-${String(Math.floor(i / PER_FOLDER)).padStart(2, '0')}`);
    mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `photo-${String(i).padStart(5, '0')}.png`);
    await sharp(pixels(i), { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toFile(file);
  });
  writeFileSync(marker, new Date().toISOString());
}

async function importPhotos(photosDir: string, project: string, userData: string, log: (line: string) => void): Promise<number> {
  log('large-project: importing (hashing, thumbnails)…');
  const app = createApp(localAppOptions({ project, userData, transport: 'direct' }));
  try {
    const result = await createDirectClient(app).invoke('folders:add', { path: photosDir, classesFromFolders: false });
    return result.photos;
  } finally {
    app.close();
  }
}

/** Returns the cached 20,000-photo project, building what is missing. */
export async function ensureLargeProject(log: (line: string) => void = () => {}): Promise<LargeProject> {
  const photosDir = path.join(ROOT, 'photos');
  // One project file per schema: the temp folder is shared by checkouts whose migrations differ,
  // and a project one of them upgraded cannot be opened by another.
  const schema = createHash('sha256')
    .update(migrations.map((m) => `${m.version}:${m.name}`).join(','))
    .digest('hex')
    .slice(0, 8);
  const project = path.join(ROOT, `grid-${schema}.tstudio`);
  const userData = path.join(ROOT, 'user');
  const ready = path.join(ROOT, `project-${schema}.ready`);
  await makePhotos(photosDir, log);
  if (!existsSync(ready)) {
    rmSync(project, { force: true });
    rmSync(`${project}-wal`, { force: true });
    rmSync(`${project}-shm`, { force: true });
    const started = Date.now();
    const photos = await importPhotos(photosDir, project, userData, log);
    if (photos !== LARGE_COUNT) throw new Error(`large-project: imported ${photos} photos, expected ${LARGE_COUNT}`);
    log(`large-project: imported in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    writeFileSync(ready, String(photos));
  }
  return { project, userData, photos: LARGE_COUNT };
}
