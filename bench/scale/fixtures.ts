/**
 * Generated photo trees for `npm run bench:scale`, kept in the OS temp folder and reused between
 * runs (generating 100,000 JPEGs takes minutes). Each size N gets two folders, as a person's
 * library would have: `labeled/` in ImageFolder layout (train/val × two classes, imported with
 * "classes from folders") holding half the photos, and `inbox/` (batches of 1,000, no classes)
 * holding the other half, unlabeled.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { mapPool } from '../../src/main/services/pool';

const VERSION = 'v2';
/** Side of the generated photos, px: small, so the bench measures the library, not decoding. */
const SIDE = 96;
const PER_BATCH = 1000;

export interface ScaleFixture {
  count: number;
  labeledDir: string;
  inboxDir: string;
}

export function fixtureRoot(count: number): string {
  return path.join(os.tmpdir(), `tstudio-scale-${VERSION}`, String(count));
}

/** Returns the photo tree for `count` photos, generating it the first time. */
export async function ensureFixture(count: number, log: (line: string) => void): Promise<ScaleFixture> {
  const root = fixtureRoot(count);
  const fixture = { count, labeledDir: path.join(root, 'labeled'), inboxDir: path.join(root, 'inbox') };
  const marker = path.join(root, '.complete');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) === count) return fixture;
  rmSync(root, { recursive: true, force: true });
  const started = performance.now();
  log(`generating ${count} photos under ${root}…`);
  await mapPool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const file = photoPath(fixture, i);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, await jpeg(i));
    }
  );
  writeFileSync(marker, String(count));
  log(`generated ${count} photos in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return fixture;
}

/** Even indices are labeled (split 80/20, two classes), odd ones sit in the inbox. */
function photoPath(f: ScaleFixture, i: number): string {
  const name = `photo_${String(i).padStart(6, '0')}.jpg`;
  if (i % 2 === 1) return path.join(f.inboxDir, `batch-${String(Math.floor(i / PER_BATCH)).padStart(3, '0')}`, name);
  const split = i % 10 === 0 ? 'val' : 'train';
  return path.join(f.labeledDir, split, i % 4 === 0 ? 'cats' : 'dogs', name);
}

/** Pixels that differ for every index, so no two files share a content hash. */
async function jpeg(i: number): Promise<Buffer> {
  const tile = Buffer.alloc(8 * 8 * 3);
  // mulberry32 seeded by the index: 192 pseudo-random bytes per photo.
  let state = (i * 0x9e3779b9) >>> 0;
  for (let k = 0; k < tile.length; k++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    tile[k] = ((t ^ (t >>> 14)) >>> 0) & 255;
  }
  return sharp(tile, { raw: { width: 8, height: 8, channels: 3 } })
    .resize(SIDE, SIDE, { kernel: 'cubic' })
    .jpeg({ quality: 80 })
    .toBuffer();
}
