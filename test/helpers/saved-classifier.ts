/**
 * Classifier folders saved as the trainer saves them (MobileNetV2 from ../shared at 96 px, a
 * 2-class head), optionally with the top block changed as fine-tuning would change it: for the
 * filter gallery and `filters --model`, which show a trained network's own filters.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { loadBackbone } from '../../src/main/engine/index';
import { buildClassifier, releaseClassifier } from '../../src/main/engine/trainer/classifier';
import { buildHead } from '../../src/main/engine/trainer/head';
import { saveModelFolder } from '../../src/main/engine/trainer/model-folder';
import { TM_BASE } from '../integration/training/project-fixture';

type Backbone = Awaited<ReturnType<typeof loadBackbone>>;

/** Saves a classifier into dir/name at the given scales (one: an ordinary run), its top block changed by `refine`. */
export async function saveClassifier(dir: string, name: string, scales: number[], refine?: (b: Backbone) => void): Promise<string> {
  const backbone = await loadBackbone({ id: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 96 });
  refine?.(backbone);
  const head = buildHead({ kind: 'gap', featureShape: [backbone.featureDim * scales.length], numClasses: 2, seed: 1 });
  const classifier = buildClassifier(backbone, head, 'gap', scales);
  const out = path.join(dir, name);
  await saveModelFolder(classifier, out, {
    labels: ['ants', 'bees'],
    preprocessing: { mode: 'tm', inputSize: 96, resize: 'shorter-side-center-crop', channelOrder: 'RGB', backboneId: 'mobilenet_v2' }
  });
  releaseClassifier(backbone, head, scales.length);
  backbone.dispose();
  return out;
}

/**
 * What fine-tuning does to the top block, in kind: its conv kernels move away from the pretrained
 * values. Returns the new kernel of `layerName`.
 */
export function refineTopBlock(backbone: Backbone, layerName: string): Float32Array {
  let kernelOf: Float32Array = new Float32Array(0);
  for (const layer of backbone.base.layers.filter((l) => backbone.topBlockLayers.includes(l.name) && l.getClassName() === 'Conv2D')) {
    const [kernel, ...rest] = layer.getWeights();
    const moved = tf.tidy(() =>
      tf.add(kernel, tf.mul(tf.randomNormal(kernel.shape, 0, 1, 'float32', 7), tf.moments(kernel).variance.sqrt()))
    );
    if (layer.name === layerName) kernelOf = moved.dataSync() as Float32Array;
    layer.setWeights([moved, ...rest]);
    moved.dispose();
  }
  return kernelOf;
}
