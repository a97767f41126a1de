/**
 * The MobileNetV2 0.35 base that ships in resources/models: the Teachable Machine export with
 * its third-party head stripped gives bit-identical features to that export's base, loads as a
 * TF.js layers model of its own, and is small enough to ship.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone } from '../../../src/main/engine/index';
import { loadTfjsModel } from '../../../src/main/engine/tfjs-folder';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const BUNDLED = path.join(REPO_ROOT, 'resources/models/mobilenet_v2_035');
const TM_EXPORT = path.resolve(REPO_ROOT, '../shared/models/mobilenet-v2-0.35-224-tm-base');

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

function identical(a: tf.Tensor, b: tf.Tensor): boolean {
  const x = a.dataSync();
  const y = b.dataSync();
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

describe('bundled MobileNetV2 0.35 base', () => {
  it('holds only the base: no third-party head layer, under 2.2 MB', () => {
    const json = JSON.parse(readFileSync(path.join(BUNDLED, 'model.json'), 'utf8')) as {
      weightsManifest: { weights: { name: string }[] }[];
    };
    const names = json.weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
    expect(names.some((n) => n.startsWith('dense_'))).toBe(false);
    expect(names).toContain('Conv_1/kernel');
    expect(statSync(path.join(BUNDLED, 'weights.bin')).size + statSync(path.join(BUNDLED, 'model.json')).size).toBeLessThan(2.2e6);
  });

  it("gives bit-identical features to the Teachable Machine export's base", async () => {
    const original = await loadTfjsModel(path.join(TM_EXPORT, 'model.json'));
    const stripped = await loadTfjsModel(path.join(BUNDLED, 'model.json'));
    const x = tf.randomUniform([2, 224, 224, 3], -1, 1, 'float32', 7);
    const a = (original.layers[0] as tf.LayersModel).predict(x) as tf.Tensor;
    const b = stripped.predict(x) as tf.Tensor;
    expect(b.shape).toEqual([2, 1280]);
    expect(identical(a, b)).toBe(true);
    tf.dispose([x, a, b]);
    original.dispose();
    stripped.dispose();
  });

  it('loads as the app loads it (built in code, weights by layer name) with the same features at any size', async () => {
    const fromExport = await loadBackbone({ id: 'mobilenet_v2_035', weightsPath: TM_EXPORT, inputSize: 160, preprocessing: 'tf' });
    const bundled = await loadBackbone({ id: 'mobilenet_v2_035', weightsPath: BUNDLED, inputSize: 160 });
    expect(bundled.preprocessing).toBe('tf');
    const photos = tf.randomUniform([2, 160, 160, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
    const a = fromExport.embed(photos);
    const b = bundled.embed(photos);
    expect(identical(a, b)).toBe(true);
    tf.dispose([photos, a, b]);
    fromExport.dispose();
    bundled.dispose();
  });
});
