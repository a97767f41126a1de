/**
 * Embedding throughput on the active backend: vgg16@224 (random weights: same FLOPs as the
 * real ones) and mobilenet_v2 at 224 and at 320, its training default (the Teachable Machine
 * base from ../shared). Decode time of
 * real photos is measured separately. Prints figures; asserts nothing.
 *   npm run bench:embed [-- --batch 8 --images 32]
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildVgg, imagesToTensor, initBackend, loadBackbone, loadImage, type Backbone } from '../src/main/engine/index';
import { makeBackbone } from '../src/main/engine/backbone';

const REPO = path.resolve(import.meta.dirname, '..');
const SHARED = path.resolve(REPO, '../shared');
const { values } = parseArgs({ options: { batch: { type: 'string', default: '8' }, images: { type: 'string', default: '32' } } });
const BATCH = Number(values.batch);
const IMAGES = Number(values.images);

function report(name: string, images: number, ms: number, extra = ''): void {
  console.log(
    `${name.padEnd(28)} ${(images / (ms / 1000)).toFixed(2).padStart(8)} images/s  (${images} images, ${ms.toFixed(0)} ms${extra})`
  );
}

/** Random-weight VGG16: weights are glorot-random so activations are realistic. */
function randomVgg16(): Backbone {
  const base = buildVgg('vgg16', 224);
  for (const layer of base.layers) {
    if (layer.weights.length === 0) continue;
    const random = layer.weights.map((w) => tf.randomUniform(w.shape as number[], -0.05, 0.05));
    layer.setWeights(random);
    tf.dispose(random);
  }
  return makeBackbone({ id: 'vgg16', inputSize: 224, preprocessing: 'caffe', weightsKey: 'random', base, topBlockLayers: [] });
}

async function timeEmbed(name: string, backbone: Backbone): Promise<void> {
  const size = backbone.inputSize;
  const x = tf.randomUniform([BATCH, size, size, 3], 0, 255) as tf.Tensor4D;
  tf.dispose(backbone.embed(x)); // warm-up: kernel setup and memory growth
  const start = performance.now();
  let done = 0;
  while (done < IMAGES) {
    const e = backbone.embed(x);
    await e.data();
    e.dispose();
    done += BATCH;
  }
  report(`${name} (batch ${BATCH})`, done, performance.now() - start);
  x.dispose();
}

async function timeDecode(): Promise<void> {
  const dir = path.join(SHARED, 'datasets/hymenoptera/train/ants');
  if (!existsSync(dir)) return console.log('decode: ../shared/datasets/hymenoptera not found, skipped');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .slice(0, IMAGES)
    .map((f) => path.join(dir, f));
  const start = performance.now();
  const pixels = [];
  for (const f of files) pixels.push(await loadImage(f, 224));
  const ms = performance.now() - start;
  imagesToTensor(pixels, 224).dispose();
  report('decode+resize+crop @224', files.length, ms, ', sharp, sequential');
}

const info = await initBackend();
console.log(`backend: ${info.label}`);
await timeDecode();
const vgg = randomVgg16();
await timeEmbed('vgg16@224', vgg);
vgg.dispose();
const tm = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');
if (existsSync(tm)) {
  for (const inputSize of [224, 320]) {
    const mnv2 = await loadBackbone({ id: 'mobilenet_v2', weightsPath: tm, inputSize });
    await timeEmbed(`mobilenet_v2 0.35@${inputSize}`, mnv2);
    mnv2.dispose();
  }
}
console.log(`tensors left: ${tf.memory().numTensors}`);
