/**
 * Speed of "see what the network learned" on the active backend: ms per filter image (gradient
 * ascent, 30 steps by default) for VGG16@128 with random weights (same FLOPs as the real ones)
 * and the real MobileNetV2 0.35@128 (../shared), at an early, a middle and the last conv layer;
 * then ms per Grad-CAM (one photo: the map, the class probabilities with the mirror view) for
 * MobileNetV2@320 (its training default) and VGG16@224 classifiers, and with decoding and the
 * overlay PNG. Prints figures; asserts nothing.
 *   npm run bench:explain [-- --steps 30 --filters 4 --batch 4]
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildVgg, initBackend, loadBackbone, loadImage, type Backbone } from '../src/main/engine/index';
import { makeBackbone } from '../src/main/engine/backbone';
import {
  explainPhotos,
  filterModelFromBackbone,
  gradCam,
  loadCamModel,
  visualizeFilters,
  type FilterModel
} from '../src/main/engine/explain/index';
import { buildClassifier, releaseClassifier } from '../src/main/engine/trainer/classifier';
import { buildHead } from '../src/main/engine/trainer/head';
import { saveModelFolder } from '../src/main/engine/trainer/model-folder';

const REPO = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(REPO, '../shared');
const TM = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '30' },
    filters: { type: 'string', default: '4' },
    batch: { type: 'string', default: '4' },
    photos: { type: 'string', default: '8' }
  }
});
const STEPS = Number(values.steps);
const FILTERS = Number(values.filters);
const BATCH = Number(values.batch);
const PHOTOS = Number(values.photos);

function randomVgg16(size: number): Backbone {
  const base = buildVgg('vgg16', size);
  for (const layer of base.layers) {
    if (layer.weights.length === 0) continue;
    const random = layer.weights.map((w) => tf.randomUniform(w.shape as number[], -0.05, 0.05));
    layer.setWeights(random);
    tf.dispose(random);
  }
  return makeBackbone({ id: 'vgg16', inputSize: size, preprocessing: 'caffe', weightsKey: 'random', base, topBlockLayers: [] });
}

async function timeFilters(name: string, model: FilterModel, layer: string): Promise<void> {
  const filters = Array.from({ length: FILTERS }, (_, i) => i);
  const settings = { steps: STEPS };
  // Warm-up: the first use of each kernel at a shape is several times slower than the rest.
  await visualizeFilters(model, { layer, filters: [0], settings: { steps: 1 } });
  const started = performance.now();
  const run = await visualizeFilters(model, { layer, filters, batchSize: BATCH, settings });
  const ms = performance.now() - started;
  const gain = run.filters.map((f) => f.activationEnd - f.activationStart);
  console.log(
    `${`${name} ${layer}`.padEnd(40)} ${(ms / FILTERS).toFixed(0).padStart(7)} ms/filter  ` +
      `(${FILTERS} filters, batch ${BATCH}, ${STEPS} steps: ${(ms / FILTERS / Math.max(STEPS, 1)).toFixed(1)} ms/step/filter; ` +
      `mean activation gain ${(gain.reduce((a, b) => a + b, 0) / gain.length).toFixed(2)})`
  );
}

async function benchFilters(): Promise<void> {
  console.log(`\nfilter images at 128 px, ${STEPS} steps`);
  const vgg = filterModelFromBackbone(randomVgg16(128));
  for (const layer of ['block1_conv2', 'block3_conv3', 'block5_conv3']) await timeFilters('vgg16@128 (random)', vgg, layer);
  vgg.dispose();
  if (!existsSync(TM)) return console.log('mobilenet_v2: ../shared/models/mobilenet-v2-0.35-224-tm-base not found, skipped');
  const mnv2 = filterModelFromBackbone(await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM, inputSize: 128 }));
  for (const layer of ['block_2_expand', 'block_8_project', 'Conv_1']) await timeFilters('mobilenet_v2 0.35@128', mnv2, layer);
  mnv2.dispose();
}

function samplePhotos(): string[] {
  const d = path.join(SHARED, 'datasets/hymenoptera/val/bees');
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, PHOTOS)
    .map((f) => path.join(d, f));
}

/** A classifier folder as training saves it (untrained head: the cost is the same). */
async function classifierFolder(backbone: Backbone, dir: string): Promise<string> {
  const head = buildHead({ kind: 'gap', featureShape: [backbone.featureDim], numClasses: 2, seed: 1 });
  const classifier = buildClassifier(backbone, head, 'gap');
  const preprocessing = {
    mode: backbone.preprocessing,
    inputSize: backbone.inputSize,
    resize: 'shorter-side-center-crop',
    channelOrder: 'RGB',
    backboneId: backbone.id
  } as const;
  await saveModelFolder(classifier, dir, { labels: ['ants', 'bees'], preprocessing });
  releaseClassifier(backbone, head);
  head.dispose();
  backbone.dispose();
  return dir;
}

async function timeGradCam(name: string, modelDir: string, photos: string[]): Promise<void> {
  const m = await loadCamModel(modelDir);
  const pixels = await Promise.all(photos.map((p) => loadImage(p, m.inputSize)));
  await gradCam(m, pixels[0]);
  let started = performance.now();
  for (const p of pixels) await gradCam(m, p);
  const camMs = (performance.now() - started) / pixels.length;
  started = performance.now();
  await explainPhotos(m, photos, { renderSize: 448 });
  const allMs = (performance.now() - started) / photos.length;
  console.log(
    `${name.padEnd(40)} ${camMs.toFixed(0).padStart(7)} ms/Grad-CAM  (${m.targetLayer}); ` +
      `${allMs.toFixed(0)} ms/photo with decode + 448 px overlay PNG (${photos.length} photos)`
  );
  m.dispose();
}

async function benchGradCam(): Promise<void> {
  const photos = samplePhotos();
  if (photos.length === 0) return console.log('Grad-CAM: ../shared/datasets/hymenoptera not found, skipped');
  console.log('\nGrad-CAM');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-bench-explain-'));
  try {
    if (existsSync(TM)) {
      const mnv2 = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM, inputSize: 320 });
      await timeGradCam('mobilenet_v2 0.35@320 classifier', await classifierFolder(mnv2, path.join(dir, 'mnv2')), photos);
    }
    await timeGradCam('vgg16@224 classifier (random)', await classifierFolder(randomVgg16(224), path.join(dir, 'vgg')), photos);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const info = await initBackend();
console.log(`backend: ${info.label}`);
console.log(
  `load average: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${os.cpus().length} CPUs)`
);
await benchFilters();
await benchGradCam();
console.log(`\ntensors left: ${tf.memory().numTensors}`);
