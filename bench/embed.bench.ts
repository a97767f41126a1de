/**
 * `npm run bench:embed`: photos → features, ms per photo with decoding included, for VGG16@224
 * (random weights: the same FLOPs as trained ones) and the real MobileNetV2 0.35 at 224 and 320
 * px, under each runtime side by side — ONNX Runtime (the app's path) and tfjs — plus decoding
 * alone; and, where `python3 -c "import torch, torchvision"` works, the same job in a plain
 * PyTorch script (bench/embed_torch.py) with the ratio. Prints figures; asserts nothing.
 *   npm run bench:embed [-- --images 64 --vgg-images 32 --tfjs-vgg-images 8]
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeBackbone } from '../src/main/engine/backbone';
import {
  buildVgg,
  decodeAhead,
  initBackend,
  loadBackbone,
  openBackboneForward,
  throughputBatchSize,
  type Backbone
} from '../src/main/engine/index';
import { physicalCores } from '../src/main/engine/onnx/cpu-cores';
import { runTorch, torchPython, type TorchResult } from './torch-runner';

const REPO = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(REPO, '../shared');
const TM = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '64' },
    'vgg-images': { type: 'string', default: '32' },
    'tfjs-vgg-images': { type: 'string', default: '8' }
  }
});

interface Job {
  name: string;
  torchName: string;
  size: number;
  photos: number;
  tfjsPhotos: number;
  make(): Promise<Backbone>;
}

function hymenopteraPhotos(): string[] {
  return ['train/ants', 'train/bees', 'val/ants', 'val/bees'].flatMap((d) => {
    const dir = path.join(SHARED, 'datasets/hymenoptera', d);
    return readdirSync(dir)
      .filter((f) => /\.jpe?g$/i.test(f))
      .sort()
      .map((f) => path.join(dir, f));
  });
}

/** Random-weight VGG16: glorot-ish uniform weights so activations are realistic. */
async function randomVgg16(): Promise<Backbone> {
  const base = buildVgg('vgg16', 224);
  for (const layer of base.layers) {
    if (layer.weights.length === 0) continue;
    const random = layer.weights.map((w) => tf.randomUniform(w.shape as number[], -0.05, 0.05, 'float32', 1));
    layer.setWeights(random);
    tf.dispose(random);
  }
  return makeBackbone({ id: 'vgg16', inputSize: 224, preprocessing: 'caffe', weightsKey: 'random', base, topBlockLayers: [] });
}

/** ms per photo through decode-ahead + forward, after one warm-up batch; null for nothing. */
async function timeRuntime(
  backbone: Backbone,
  files: string[],
  runtime: 'auto' | 'tfjs'
): Promise<{ ms: number; label: string; setupMs: number }> {
  const t0 = performance.now();
  const forward = await openBackboneForward(backbone, 'avg', { runtime });
  const setupMs = performance.now() - t0;
  const batchSize = throughputBatchSize(backbone.base, 1);
  const items = files.map((p) => ({ path: p }));
  try {
    for await (const b of decodeAhead(items.slice(0, batchSize), { inputSize: backbone.inputSize, batchSize })) {
      await forward.run(b.decoded.map((d) => d.pixels));
    }
    const start = performance.now();
    for await (const b of decodeAhead(items, { inputSize: backbone.inputSize, batchSize, ahead: Math.ceil(8 / batchSize) })) {
      await forward.run(b.decoded.map((d) => d.pixels));
    }
    return { ms: (performance.now() - start) / files.length, label: forward.info.label, setupMs };
  } finally {
    await forward.dispose();
  }
}

async function timeDecode(files: string[], size: number, concurrent: boolean): Promise<number> {
  const items = files.map((p) => ({ path: p }));
  const start = performance.now();
  if (concurrent) {
    for await (const b of decodeAhead(items, { inputSize: size, batchSize: 8, ahead: 1 })) void b;
  } else {
    for (const item of items) for await (const b of decodeAhead([item], { inputSize: size, batchSize: 1, ahead: 0 })) void b;
  }
  return (performance.now() - start) / files.length;
}

const fmt = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'n/a' : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`);

async function main(): Promise<void> {
  const all = hymenopteraPhotos();
  const images = Math.min(Number(values.images), all.length);
  const vggImages = Math.min(Number(values['vgg-images']), all.length);
  const tfjsVgg = Math.min(Number(values['tfjs-vgg-images']), vggImages);
  const threads = physicalCores();
  const info = await initBackend();
  console.log(`machine: ${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} CPUs, ${threads} physical cores`);
  console.log(
    `load average at start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`
  );
  console.log(`tfjs backend: ${info.label}`);
  const jobs: Job[] = [
    { name: 'vgg16@224 (random weights)', torchName: 'vgg16', size: 224, photos: vggImages, tfjsPhotos: tfjsVgg, make: randomVgg16 },
    ...[224, 320].map((size) => ({
      name: `mobilenet_v2 0.35@${size}`,
      torchName: 'mobilenet_v2_035',
      size,
      photos: images,
      tfjsPhotos: images,
      make: () => loadBackbone({ id: 'mobilenet_v2', weightsPath: TM, inputSize: size })
    }))
  ];
  console.log(`\ndecode alone (sharp: read, EXIF-rotate, shrink-on-load, resize, crop), ${images} photos:`);
  for (const size of [224, 320]) {
    const [seq, conc] = [await timeDecode(all.slice(0, images), size, false), await timeDecode(all.slice(0, images), size, true)];
    console.log(`  @${size}: ${fmt(seq)}/photo one at a time, ${fmt(conc)}/photo 8 at a time (all cores)`);
  }
  const rows: { job: Job; ort: number; tfjs: number; torch: TorchResult | null }[] = [];
  for (const job of jobs) {
    const backbone = await job.make();
    try {
      const ort = await timeRuntime(backbone, all.slice(0, job.photos), 'auto');
      const js = await timeRuntime(backbone, all.slice(0, job.tfjsPhotos), 'tfjs');
      console.log(
        `\n${job.name}: ${ort.label} ${fmt(ort.ms)}/photo (${job.photos} photos; export+session ${fmt(ort.setupMs)}), ${js.label} ${fmt(js.ms)}/photo (${job.tfjsPhotos} photos)`
      );
      rows.push({ job, ort: ort.ms, tfjs: js.ms, torch: null });
    } finally {
      backbone.dispose();
    }
  }
  await compareWithTorch(rows, all, threads);
  console.log(
    `\nload average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; tensors left: ${tf.memory().numTensors}`
  );
}

async function compareWithTorch(
  rows: { job: Job; ort: number; tfjs: number; torch: TorchResult | null }[],
  all: string[],
  threads: number
): Promise<void> {
  const python = torchPython();
  if (!python) {
    console.log(
      '\nPyTorch: python3 with torch + torchvision not found (apt-get install python3-torch python3-torchvision python3-pil); skipped'
    );
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-embed-'));
    const list = path.join(dir, 'photos.txt');
    writeFileSync(list, all.join('\n'));
    try {
      const results = runTorch(
        python,
        list,
        threads,
        rows.map((r) => ({ backbone: r.job.torchName, size: r.job.size, batch: 8, photos: r.job.photos }))
      );
      rows.forEach((r, i) => (r.torch = results[i] ?? null));
      console.log(`\nPyTorch ${results[0]?.torch ?? ''} (${python}), ${threads} threads, batch 8, PIL decode in the loop`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('\nms per photo, decode included (lower is better)');
  console.log(
    `${'backbone'.padEnd(28)}${'ONNX Runtime'.padStart(14)}${'tfjs'.padStart(12)}${'PyTorch'.padStart(12)}${'ORT/PyTorch'.padStart(13)}`
  );
  for (const r of rows) {
    const ratio = r.torch ? `${(r.ort / r.torch.msPerPhoto).toFixed(2)}x` : 'n/a';
    console.log(
      `${r.job.name.padEnd(28)}${fmt(r.ort).padStart(14)}${fmt(r.tfjs).padStart(12)}${fmt(r.torch?.msPerPhoto).padStart(12)}${ratio.padStart(13)}`
    );
  }
}

if (!existsSync(path.join(SHARED, 'datasets/hymenoptera')) || !existsSync(TM)) {
  console.log('bench:embed needs ../shared/datasets/hymenoptera and ../shared/models/mobilenet-v2-0.35-224-tm-base; skipped');
} else {
  await main();
}
