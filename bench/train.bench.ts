/**
 * `npm run bench:train`: time from Train to a saved model on ../shared/datasets/hymenoptera,
 * cold (empty feature cache and no exported ONNX graph) and warm (after labeling 10 more
 * photos), with the Teachable Machine MobileNetV2 0.35 base (the app's default 320 px) and with
 * a random-weight VGG16 .h5 (224 px; same cost as the real one, accuracy meaningless), frozen
 * features at that one size (no size comparison, no fine-tune check: bench:accuracy times those), split into
 * feature extraction and head training; images/s; peak memory. Prints figures; asserts nothing.
 *   npm run bench:train [-- --only mobilenet_v2|vgg16]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ApiClient } from '../src/shared/contract';
import type { PhotoDto, RunDetail } from '../src/shared/dto';
import { createApp, createDirectClient } from '../src/main/services/app';
import { localAppOptions } from '../src/main/server/app-options';
import { createRng, shuffled } from '../src/main/engine/trainer/rng';
import { randomVggWeights, writeVggH5 } from '../test/unit/engine/fixtures';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(REPO_ROOT, '../shared');
const DATASET = path.join(SHARED, 'datasets/hymenoptera');
const WEIGHTS = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');
const HELD_OUT = 10;

interface BenchBackbone {
  backboneId: string;
  weightsPath: string;
  /** Fixed so the figure measures the frozen-feature path (one size, no fine-tune check); bench:accuracy times the one-click run. */
  inputSize: number;
}

/**
 * CPU seconds (user + system) of this process's exited children — the training process runs one
 * job and exits — from /proc/self/stat; null off Linux. Unlike wall time it barely moves when
 * other work shares the cores, so before/after comparisons on a busy machine stay meaningful.
 */
function childCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // After the ") ": field 3 (state) is index 0, so cutime (16) and cstime (17) are 13 and 14.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return null;
  }
}

/** The children's CPU seconds once the training process has exited (it does right after its job). */
async function cpuAfterExit(before: number | null): Promise<number | null> {
  if (before === null) return null;
  for (let i = 0; i < 50; i++) {
    const now = childCpuSeconds();
    if (now !== null && now !== before) return now - before;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

async function trainAndWait(api: ApiClient, b: BenchBackbone): Promise<{ wallSeconds: number; cpuSeconds: number | null; run: RunDetail }> {
  const cpuBefore = childCpuSeconds();
  const started = performance.now();
  let runId = -1;
  const finished = new Promise<void>((resolve) => api.on('training:finished', (f) => f.runId === runId && resolve()));
  runId = (
    await api.invoke('training:start', { backboneId: b.backboneId, weightsPath: b.weightsPath, inputSize: b.inputSize, fineTune: false })
  ).runId;
  await finished;
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuSeconds = await cpuAfterExit(cpuBefore);
  const run = await api.invoke('training:run', { runId });
  if (run.status !== 'completed') throw new Error(`run ${runId} ${run.status}: ${run.error}`);
  return { wallSeconds, cpuSeconds, run };
}

function report(label: string, r: { wallSeconds: number; cpuSeconds: number | null; run: RunDetail }): void {
  const t = r.run.timings;
  const computed = r.run.featuresComputed ?? 0;
  const rate = t && t.features > 0 && computed > 0 ? (computed / t.features).toFixed(1) : 'n/a';
  console.log(`${label}:`);
  console.log(
    `  Train → saved model: ${r.wallSeconds.toFixed(1)} s wall (worker total ${t?.total.toFixed(1)} s, incl. process start + backbone load ${t?.load.toFixed(1)} s); training process CPU ${r.cpuSeconds === null ? 'n/a' : `${r.cpuSeconds.toFixed(1)} s`} (user + system, all threads; load ${os.loadavg()[0].toFixed(2)})`
  );
  console.log(
    `  features: ${t?.features.toFixed(1)} s for ${computed} computed (${rate} photos/s, each photo + its mirror), ${r.run.featuresCached} from cache`
  );
  console.log(
    `  head training: ${t?.train.toFixed(2)} s (${r.run.history.length > 0 ? `${r.run.history.length} epochs` : 'logistic regression, L2 by 5-fold CV'}); evaluate ${t?.evaluate.toFixed(2)} s, predict ${t?.predict.toFixed(2)} s, save ${t?.save.toFixed(2)} s`
  );
  console.log(
    `  val accuracy: ${((r.run.valAccuracy ?? 0) * 100).toFixed(1)}%  training: ${r.run.backend}, features: ${r.run.inference ?? 'none computed'}`
  );
  console.log(`  peak memory (training process RSS): ${((r.run.peakRssBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`);
}

async function heldOutPhotos(api: ApiClient): Promise<PhotoDto[]> {
  const page = await api.invoke('photos:page', { filter: { kind: 'split', split: 'train' }, limit: 1000 });
  return shuffled(
    page.items.filter((p) => p.classId !== null),
    createRng(1)
  ).slice(0, HELD_OUT);
}

async function benchBackbone(b: BenchBackbone, label: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-bench-train-'));
  const app = createApp(localAppOptions({ project: path.join(dir, 'bench.tstudio'), userData: dir, transport: 'direct' }));
  const api = createDirectClient(app);
  try {
    const imported = await api.invoke('folders:add', { path: DATASET, classesFromFolders: true });
    console.log(`\n== ${label} ==`);
    console.log(
      `hymenoptera: ${imported.photos} photos, classes ${JSON.stringify(imported.classes)}, splits ${JSON.stringify(imported.splits)}; ${os.cpus().length} cores; load ${os.loadavg()[0].toFixed(2)}`
    );
    const held = await heldOutPhotos(api);
    await api.invoke('labels:assign', { photoIds: held.map((p) => p.id), classId: null });
    report(`cold cache (${HELD_OUT} train labels held out)`, await trainAndWait(api, b));
    for (const p of held) await api.invoke('labels:assign', { photoIds: [p.id], classId: p.classId });
    report(`warm cache (after labeling those ${HELD_OUT} photos)`, await trainAndWait(api, b));
  } finally {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A VGG16 weights file with random weights: the real file's shapes, names and cost. */
async function randomVggFile(dir: string): Promise<string> {
  const file = path.join(dir, 'vgg16-random.h5');
  await writeVggH5(file, randomVggWeights('vgg16', 1), { naming: 'new' });
  return file;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`
  );
  if (values.only !== 'vgg16')
    await benchBackbone(
      { backboneId: 'mobilenet_v2', weightsPath: WEIGHTS, inputSize: 320 },
      'MobileNetV2 0.35 (Teachable Machine base), 320 px'
    );
  if (values.only !== 'mobilenet_v2') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-bench-vgg-'));
    try {
      await benchBackbone({ backboneId: 'vgg16', weightsPath: await randomVggFile(dir), inputSize: 224 }, 'VGG16, random weights, 224 px');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\npeak memory (main process RSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  console.log(
    `load average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`
  );
}

await main();
