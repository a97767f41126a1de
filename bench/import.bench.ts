/**
 * Import benchmark: 10,000 small generated JPEGs imported into a fresh temp project through the
 * same App and direct client the CLI uses. Prints photos/s overall and per phase, and peak RSS.
 * The generated photos are cached in the OS temp folder between runs; the project and the
 * thumbnail cache are fresh every run, so every phase does its full work.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ImportProgress, ProgressPhase } from '../src/shared/dto';
import { createApp, createDirectClient } from '../src/main/services/app';
import { localAppOptions } from '../src/main/server/app-options';
import { mapPool } from '../src/main/services/pool';

const COUNT = Number(process.env.BENCH_PHOTOS ?? 10_000);
const PHOTO_DIR = path.join(os.tmpdir(), `tstudio-bench-photos-${COUNT}-v1`);

async function main(): Promise<void> {
  await ensurePhotos();
  const work = mkdtempSync(path.join(os.tmpdir(), 'tstudio-bench-project-'));
  const rss = startRssSampler();
  try {
    const app = createApp(localAppOptions({ project: path.join(work, 'bench.tstudio'), userData: work, transport: 'direct' }));
    const api = createDirectClient(app);
    const phases = new Map<ProgressPhase, { first: number; last: number; done: number }>();
    api.on('import:progress', (p: ImportProgress) => trackPhase(phases, p));
    const started = performance.now();
    const result = await api.invoke('folders:add', { path: PHOTO_DIR, classesFromFolders: true });
    const seconds = (performance.now() - started) / 1000;
    app.close();
    report(result.photos, result.skipped.length, seconds, phases, rss.stop());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function trackPhase(phases: Map<ProgressPhase, { first: number; last: number; done: number }>, p: ImportProgress): void {
  const now = performance.now();
  const entry = phases.get(p.phase) ?? { first: now, last: now, done: 0 };
  entry.last = now;
  entry.done = p.done;
  phases.set(p.phase, entry);
}

function report(
  photos: number,
  skipped: number,
  seconds: number,
  phases: Map<ProgressPhase, { first: number; last: number; done: number }>,
  peakRss: number
): void {
  console.log(`import of ${COUNT} generated JPEGs (${os.cpus().length} cores, sharp concurrency ${sharp.concurrency()})`);
  console.log(`  photos imported: ${photos}, skipped: ${skipped}`);
  console.log(`  total: ${seconds.toFixed(2)} s, ${(photos / seconds).toFixed(0)} photos/s`);
  let previousEnd: number | null = null;
  for (const [phase, e] of phases) {
    // A phase starts when the previous one ended (its first event comes after the first item).
    const start = previousEnd ?? e.first;
    const secs = Math.max((e.last - start) / 1000, 1e-3);
    console.log(`  ${phase.padEnd(10)} ${e.done} items in ${secs.toFixed(2)} s = ${(e.done / secs).toFixed(0)} /s`);
    previousEnd = e.last;
  }
  console.log(`  peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
}

function startRssSampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    }
  };
}

/** Generates the photos once: 64-320 px, content varies by index so every hash differs. */
async function ensurePhotos(): Promise<void> {
  const marker = path.join(PHOTO_DIR, '.complete');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) === COUNT) return;
  rmSync(PHOTO_DIR, { recursive: true, force: true });
  const started = performance.now();
  const indices = Array.from({ length: COUNT }, (_, i) => i);
  await mapPool(indices, 4, async (i) => {
    const dir = path.join(PHOTO_DIR, i % 5 === 0 ? 'val' : 'train', `class${i % 4}`);
    mkdirSync(dir, { recursive: true });
    await writeJpeg(path.join(dir, `photo_${String(i).padStart(5, '0')}.jpg`), i);
  });
  writeFileSync(marker, String(COUNT));
  console.log(`generated ${COUNT} photos in ${((performance.now() - started) / 1000).toFixed(1)} s under ${PHOTO_DIR}`);
}

async function writeJpeg(file: string, i: number): Promise<void> {
  const width = 64 + ((i * 37) % 257);
  const height = 64 + ((i * 53) % 257);
  const tile = Buffer.alloc(16 * 16 * 3);
  for (let k = 0; k < tile.length; k++) tile[k] = (k * 13 + i * 101 + (k >> 4) * i) % 256;
  const base = sharp(tile, { raw: { width: 16, height: 16, channels: 3 } }).resize(width, height, { kernel: 'nearest' });
  const data = await base.jpeg({ quality: 85 }).toBuffer();
  writeFileSync(file, data);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
