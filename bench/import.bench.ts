/**
 * Import benchmark: 10,000 real-size photos (1024×768 JPEGs made from the hymenoptera photos,
 * see real-size-photos.ts) imported into a fresh temp project through the same App and direct
 * client the CLI uses. Prints photos/s overall and per phase, peak RSS and thumbnail bytes on
 * disk. The photos are cached in the OS temp folder between runs; the project and the thumbnail
 * cache are fresh every run, so every phase does its full work. BENCH_PHOTOS sets the count.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ImportProgress, ProgressPhase } from '../src/shared/dto';
import { createApp, createDirectClient } from '../src/main/services/app';
import { localAppOptions } from '../src/main/server/app-options';
import { ensureRealSizePhotos, REAL_HEIGHT, REAL_WIDTH } from './real-size-photos';

const COUNT = Number(process.env.BENCH_PHOTOS ?? 10_000);

async function main(): Promise<void> {
  const photoDir = await ensureRealSizePhotos(COUNT);
  const work = mkdtempSync(path.join(os.tmpdir(), 'tstudio-bench-project-'));
  const rss = startRssSampler();
  try {
    const app = createApp(localAppOptions({ project: path.join(work, 'bench.tstudio'), userData: work, transport: 'direct' }));
    const api = createDirectClient(app);
    const phases = new Map<ProgressPhase, { first: number; last: number; done: number }>();
    api.on('import:progress', (p: ImportProgress) => trackPhase(phases, p));
    const started = performance.now();
    const result = await api.invoke('folders:add', { path: photoDir, classesFromFolders: true });
    const seconds = (performance.now() - started) / 1000;
    app.close();
    report(result.photos, result.skipped.length, seconds, phases, rss.stop());
    reportThumbnailBytes(path.join(work, 'cache'), result.photos);
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
  console.log(
    `import of ${COUNT} real-size ${REAL_WIDTH}×${REAL_HEIGHT} JPEGs (load ${os.loadavg()[0].toFixed(2)}, ${os.cpus().length} cores, sharp concurrency ${sharp.concurrency()})`
  );
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

/** Bytes the thumbnail cache takes on disk (allocated blocks, as `du` counts), per photo. */
function reportThumbnailBytes(cacheDir: string, photos: number): void {
  let bytes = 0;
  let files = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        bytes += statSync(full).blocks * 512;
        files++;
      }
    }
  };
  walk(cacheDir);
  console.log(
    `  thumbnail cache: ${(bytes / 1024 / 1024).toFixed(1)} MiB on disk in ${files} files = ${(bytes / Math.max(photos, 1)).toFixed(0)} bytes per photo`
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
