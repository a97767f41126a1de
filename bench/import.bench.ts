/**
 * Import benchmark: 10,000 real-size photos (1024×768 JPEGs made from the hymenoptera photos,
 * see real-size-photos.ts) imported into a fresh temp project through the same App and direct
 * client the CLI uses. Prints photos/s overall and per phase, peak RSS and thumbnail bytes on
 * disk. The photos are cached in the OS temp folder between runs; the project and the thumbnail
 * cache are fresh every run, so every phase does its full work. BENCH_PHOTOS sets the count.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import sharp from 'sharp';
import type { ImportProgress, ProgressPhase } from '../src/shared/dto';
import { createApp, createDirectClient } from '../src/main/services/app';
import { localAppOptions } from '../src/main/server/app-options';
import { mapPool } from '../src/main/services/pool';
import { jpegScaledStatus } from '../src/main/imaging/jpeg-scaled';
import { jpegTurboStatus, SCALED_MAX_PIXELS, TURBO_MAX_PIXELS } from '../src/main/imaging/jpeg-turbo-thumbnail';
import { ensureRealSizePhotos, REAL_HEIGHT, REAL_WIDTH } from './real-size-photos';

const COUNT = Number(process.env.BENCH_PHOTOS ?? 10_000);
/** "real" (default): 1024×768 photographic JPEGs. "small": the old 64–320 px generated tiles, for memory at 100k. */
const KIND = process.env.BENCH_PHOTO_KIND === 'small' ? 'small' : 'real';

async function main(): Promise<void> {
  const photoDir = KIND === 'small' ? await ensureSmallPhotos(COUNT) : await ensureRealSizePhotos(COUNT);
  const work = mkdtempSync(path.join(os.tmpdir(), 'tstudio-bench-project-'));
  const rssAtStart = process.memoryUsage().rss;
  const rss = startRssSampler();
  try {
    const app = createApp(localAppOptions({ project: path.join(work, 'bench.tstudio'), userData: work, transport: 'direct' }));
    const api = createDirectClient(app);
    const phases = new Map<ProgressPhase, PhaseTrack>();
    api.on('import:progress', (p: ImportProgress) => trackPhase(phases, p));
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await api.invoke('folders:add', { path: photoDir, classesFromFolders: true });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const peak = rss.stop();
    app.close();
    // The cache folds its write-ahead log back into the file when its last connection closes.
    await waitFor(() => !existsSync(path.join(work, 'cache', 'thumbnails.sqlite-wal')), 10_000);
    report(result.photos, result.skipped.length, seconds, phases, peak);
    console.log(`  RSS before the import: ${(rssAtStart / 1024 / 1024).toFixed(0)} MiB`);
    reportCpu(result.photos, seconds, (cpu.user + cpu.system) / 1e6);
    reportThumbnailBytes(path.join(work, 'cache'), result.photos);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function trackPhase(phases: Map<ProgressPhase, PhaseTrack>, p: ImportProgress): void {
  const now = performance.now();
  const entry = phases.get(p.phase) ?? { first: now, last: now, done: 0, rate: 0 };
  entry.last = now;
  entry.done = p.done;
  entry.rate = p.rate;
  phases.set(p.phase, entry);
}

/** Which decode makes the JPEG thumbnails in this process, as the workers choose it too. */
function thumbnailPath(): string {
  const turbo = jpegTurboStatus();
  if (!turbo.available) return `sharp (libjpeg-turbo binding not used: ${turbo.reason})`;
  const scaled = jpegScaledStatus();
  if (scaled.available)
    return `libjpeg-turbo, decoded at 1/2–1/8 scale (jpeg-scaled addon) up to ${SCALED_MAX_PIXELS / 1e6} MP, sharp above`;
  return `libjpeg-turbo, full-size decode (jpeg-scaled addon not used: ${scaled.reason}) up to ${TURBO_MAX_PIXELS / 1e6} MP, sharp above`;
}

function report(photos: number, skipped: number, seconds: number, phases: Map<ProgressPhase, PhaseTrack>, peakRss: number): void {
  console.log(
    `import of ${COUNT} ${KIND === 'small' ? 'small generated (64–320 px)' : `real-size ${REAL_WIDTH}×${REAL_HEIGHT}`} JPEGs (load ${os.loadavg()[0].toFixed(2)}, ${os.cpus().length} cores, sharp concurrency ${sharp.concurrency()})`
  );
  console.log(`  photos imported: ${photos}, skipped: ${skipped}`);
  console.log(`  JPEG thumbnails: ${thumbnailPath()}`);
  console.log(`  total: ${seconds.toFixed(2)} s, ${(photos / seconds).toFixed(0)} photos/s`);
  let previousEnd: number | null = null;
  for (const [phase, e] of phases) {
    // A phase starts when the previous one ended (its first event comes after the first item).
    const start = previousEnd ?? e.first;
    const secs = Math.max((e.last - start) / 1000, 1e-3);
    // Reading, checking and thumbnailing are one pass on the workers now; "thumbnails" reports
    // only how many that pass made, at the app's own rate.
    if (phase === 'thumbnails') console.log(`  ${phase.padEnd(10)} ${e.done} made during the read pass = ${e.rate.toFixed(0)} /s`);
    else console.log(`  ${phase.padEnd(10)} ${e.done} items in ${secs.toFixed(2)} s = ${(e.done / secs).toFixed(0)} /s`);
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

/**
 * CPU time of this process (main thread, import workers and libvips threads together). On a
 * shared machine the wall-clock rate says more about the neighbours than about the import; CPU
 * seconds per photo do not, and cores ÷ that is the rate with every core free.
 */
function reportCpu(photos: number, seconds: number, cpuSeconds: number): void {
  const perPhoto = cpuSeconds / Math.max(photos, 1);
  const cores = os.availableParallelism();
  console.log(
    `  CPU: ${cpuSeconds.toFixed(1)} s (${((cpuSeconds / seconds) * 100).toFixed(0)} % of one core) = ${(perPhoto * 1000).toFixed(2)} ms per photo → ${(cores / perPhoto).toFixed(0)} photos/s with all ${cores} cores free`
  );
}

interface PhaseTrack {
  first: number;
  last: number;
  done: number;
  rate: number;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition() && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

/** The old generated photos (flat 16 px tiles scaled to 64–320 px): cheap to make 100,000 of. */
async function ensureSmallPhotos(count: number): Promise<string> {
  const dir = path.join(os.tmpdir(), `tstudio-bench-photos-${count}-v1`);
  const marker = path.join(dir, '.complete');
  if (existsSync(marker) && Number(readFileSync(marker, 'utf8')) === count) return dir;
  await mapPool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const sub = path.join(dir, i % 5 === 0 ? 'val' : 'train', `class${i % 4}`);
      mkdirSync(sub, { recursive: true });
      const width = 64 + ((i * 37) % 257);
      const height = 64 + ((i * 53) % 257);
      const tile = Buffer.alloc(16 * 16 * 3);
      for (let k = 0; k < tile.length; k++) tile[k] = (k * 13 + i * 101 + (k >> 4) * i) % 256;
      const data = await sharp(tile, { raw: { width: 16, height: 16, channels: 3 } })
        .resize(width, height, { kernel: 'nearest' })
        .jpeg({ quality: 85 })
        .toBuffer();
      writeFileSync(path.join(sub, `photo_${String(i).padStart(6, '0')}.jpg`), data);
    }
  );
  writeFileSync(marker, String(count));
  return dir;
}

/** Bytes the thumbnail cache takes on disk (allocated blocks, as `du` counts) and its payload, per photo. */
function reportThumbnailBytes(cacheDir: string, photos: number): void {
  let bytes = 0;
  let fileBytes = 0;
  let files = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = statSync(full);
        bytes += stat.blocks * 512;
        fileBytes += stat.size;
        files++;
      }
    }
  };
  walk(cacheDir);
  const store = path.join(cacheDir, 'thumbnails.sqlite');
  const payload = existsSync(store) ? thumbnailPayload(store) : fileBytes;
  const per = (n: number): string => (n / Math.max(photos, 1)).toFixed(0);
  console.log(
    `  thumbnail cache: ${(bytes / 1024 / 1024).toFixed(1)} MiB on disk in ${files} files = ${per(bytes)} bytes per photo for ${per(payload)} bytes of JPEG (${((bytes / Math.max(payload, 1) - 1) * 100).toFixed(0)} % overhead)`
  );
}

function thumbnailPayload(file: string): number {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare('SELECT COALESCE(SUM(LENGTH(data)), 0) FROM thumbnails').pluck().get() as number;
  } finally {
    db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
