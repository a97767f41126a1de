/**
 * Everything bench:scale measures for one library size, in a process of its own (so peak memory
 * and caches are this size's alone): import, a trained model's leftovers, the feature cache,
 * sizes on disk, request latencies and one label plus its refresh.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, createDirectClient, type App } from '../../src/main/services/app';
import { localAppOptions } from '../../src/main/server/app-options';
import { fillFeatureCache } from './features';
import { ensureFixture } from './fixtures';
import { gridCases, medianMs, pageLatency } from './latency';
import { labelRefresh, scenarios } from './label-refresh';
import { seedTrainedModel } from './seed-model';

/** One size's figures, by metric name; ms are server (CPU) time. */
export type SizeFigures = Record<string, number>;

export async function measureSize(count: number, log: (line: string) => void): Promise<SizeFigures> {
  const fixture = await ensureFixture(count, log);
  const work = path.join(os.tmpdir(), `tstudio-scale-project-${count}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const project = path.join(work, 'bench.tstudio');
  const options = { ...localAppOptions({ project, userData: work, transport: 'direct' }), rescanOnOpen: false };
  const out: SizeFigures = {};
  let app = createApp(options);
  const rss = startRssSampler();
  const started = performance.now();
  const api = createDirectClient(app);
  await api.invoke('folders:add', { path: fixture.labeledDir, classesFromFolders: true });
  const imported = await api.invoke('folders:add', { path: fixture.inboxDir, classesFromFolders: false });
  out['import photos/s'] = imported.photos / ((performance.now() - started) / 1000);
  out['import peak RSS MiB'] = rss.stop() / 2 ** 20;
  app.close();
  log(`  ${count}: imported ${imported.photos} photos (${imported.duplicates} duplicates, ${imported.skipped.length} skipped)`);

  const seeded = seedTrainedModel(project);
  const features = fillFeatureCache(project);
  out['feature cache B/photo'] = features.bytesPerPhoto;
  out['project MiB'] = fileBytes(project) / 2 ** 20;
  out['thumbnail cache MiB'] = treeBytes(path.join(work, 'cache')) / 2 ** 20;
  log(`  ${count}: model seeded (${seeded.predictions} suggestions, ${seeded.examples} validation photos), ${features.rows} feature rows`);

  app = createApp(options);
  await requestLatencies(app, seeded.classIds, seeded.runId, out);
  for (const s of scenarios()) {
    const r = await labelRefresh(app, s, seeded.classIds);
    out[`label+refresh: ${s.name}`] = r.median;
    out[`label+refresh: ${s.name} (worst)`] = r.worst;
    out[`label+full refresh of before: ${s.name}`] = r.fullRefresh;
  }
  app.close();
  rmSync(work, { recursive: true, force: true });
  return out;
}

async function requestLatencies(app: App, classIds: number[], runId: number, out: SizeFigures): Promise<void> {
  out['stats:get ms'] = await medianMs(app, 'stats:get');
  out['folders:list ms'] = await medianMs(app, 'folders:list');
  out['classes:list ms'] = await medianMs(app, 'classes:list');
  out['predictions:list (count) ms'] = await medianMs(app, 'predictions:list', { limit: 1 });
  let worst = 0;
  for (const c of gridCases(classIds, runId)) {
    const r = await pageLatency(app, c);
    const page = Math.max(r.first, r.middle, r.last);
    out[`page ${c.name} ms`] = page;
    worst = Math.max(worst, page);
  }
  out['page, worst of all ms'] = worst;
}

function fileBytes(file: string): number {
  return ['', '-wal'].reduce((sum, suffix) => sum + (statSafe(file + suffix)?.size ?? 0), 0);
}

function treeBytes(dir: string): number {
  let sum = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) sum += statSafe(path.join(entry.parentPath, entry.name))?.blocks ?? 0;
  }
  return sum * 512;
}

function statSafe(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
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
