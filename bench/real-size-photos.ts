/**
 * Real-size photos for the import benches: 1024×768 JPEGs (quality 88) made from the real
 * hymenoptera photos in ../shared, each cropped, flipped and tinted differently so every file has
 * its own content hash. Photographic content matters: flat generated tiles compress to a tenth
 * of a real photo and decode several times faster, which flatters the import.
 * Made once per count and kept in the OS temp folder (never in the repo).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { mapPool } from '../src/main/services/pool';

export const REAL_WIDTH = 1024;
export const REAL_HEIGHT = 768;
const SOURCE_ROOT = path.resolve(import.meta.dirname, '../../shared/datasets/hymenoptera');

/** The folder of `count` real-size photos (train|val/classN/photo_i.jpg), generated when missing. */
export async function ensureRealSizePhotos(count: number): Promise<string> {
  const dir = path.join(os.tmpdir(), `tstudio-bench-real-${count}-v1`);
  const marker = path.join(dir, '.complete');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) === count) return dir;
  const sources = listSources();
  const started = performance.now();
  const indices = Array.from({ length: count }, (_, i) => i);
  await mapPool(indices, 3, async (i) => {
    const sub = path.join(dir, i % 5 === 0 ? 'val' : 'train', `class${i % 4}`);
    mkdirSync(sub, { recursive: true });
    const file = path.join(sub, `photo_${String(i).padStart(6, '0')}.jpg`);
    // Resumable: an interrupted generation keeps the photos it finished (written whole, then renamed).
    if (existsSync(file)) return;
    const data = await variant(sources[i % sources.length], i);
    writeFileSync(`${file}.part`, data);
    renameSync(`${file}.part`, file);
  });
  writeFileSync(marker, String(count));
  console.log(`generated ${count} real-size photos in ${((performance.now() - started) / 1000).toFixed(1)} s under ${dir}`);
  return dir;
}

function listSources(): string[] {
  const out: string[] = [];
  for (const split of ['train', 'val']) {
    for (const cls of ['ants', 'bees']) {
      const sub = path.join(SOURCE_ROOT, split, cls);
      for (const name of readdirSync(sub)) if (/\.jpe?g$/i.test(name)) out.push(path.join(sub, name));
    }
  }
  if (out.length === 0) throw new Error(`No source photos under ${SOURCE_ROOT}`);
  return out.sort();
}

/** A distinct 1024×768 view of one source photo: crop position, mirror and tint depend on `i`. */
function variant(source: string, i: number): Promise<Buffer> {
  const positions = ['centre', 'north', 'south', 'east', 'west', 'northeast', 'southwest'] as const;
  let image = sharp(source)
    .rotate()
    .resize(REAL_WIDTH, REAL_HEIGHT, { fit: 'cover', position: positions[i % positions.length] });
  if ((i >> 3) % 2 === 1) image = image.flop();
  return image
    .modulate({ brightness: 0.85 + ((i * 7) % 31) / 100, hue: (i * 13) % 360 })
    .jpeg({ quality: 88 })
    .toBuffer();
}
