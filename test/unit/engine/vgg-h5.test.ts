import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadBackbone, openBackboneForward } from '../../../src/main/engine/index';
import { randomVggWeights, rng, writeVggH5, type LayerWeights } from './fixtures';
import { convSameRelu, maxPool2, relativeError, type Feature } from './naive-ops';

let dir: string;
let vgg16: LayerWeights[];
let oldFile: string;
let newFullFile: string;

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(tmpdir(), 'engine-vgg-'));
  vgg16 = randomVggWeights('vgg16', 7);
  oldFile = path.join(dir, 'vgg16-old.h5');
  newFullFile = path.join(dir, 'vgg16-new-full.h5');
  await writeVggH5(oldFile, vgg16, { naming: 'old' });
  await writeVggH5(newFullFile, vgg16, { naming: 'new', withTop: true, underModelWeights: true });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Random RGB image 0..255 as [1,S,S,3] and its caffe-preprocessed copy (computed by hand). */
function randomImage(size: number, seed: number): { rgb: tf.Tensor4D; caffe: Feature } {
  const next = rng(seed);
  const rgb = new Float32Array(size * size * 3).map(() => Math.floor(next() * 256));
  const bgr = new Float32Array(rgb.length);
  const means = [103.939, 116.779, 123.68];
  for (let p = 0; p < size * size; p++) for (let c = 0; c < 3; c++) bgr[p * 3 + c] = rgb[p * 3 + (2 - c)] - means[c];
  return { rgb: tf.tensor4d(rgb, [1, size, size, 3]), caffe: { h: size, w: size, c: 3, data: bgr } };
}

/** The reference network: each VGG layer in plain JS, returning every layer's output by name. */
function naiveVgg(input: Feature, layers: LayerWeights[]): Map<string, Feature> {
  const outputs = new Map<string, Feature>();
  let x = input;
  for (const l of layers) {
    x = convSameRelu(x, l.kernel, l.bias, l.kernelShape[3]);
    outputs.set(l.layer, x);
    const next = layers[layers.indexOf(l) + 1];
    if (!next || next.layer.slice(0, 6) !== l.layer.slice(0, 6)) {
      x = maxPool2(x);
      outputs.set(`${l.layer.slice(0, 6)}_pool`, x);
    }
  }
  return outputs;
}

describe('VGG16 from Keras .h5', () => {
  it('restores old-named weights and every layer matches a naive conv/relu/pool at 32 px', async () => {
    const backbone = await loadBackbone({ id: 'vgg16', weightsPath: oldFile, inputSize: 32 });
    const { rgb, caffe } = randomImage(32, 3);
    const expected = naiveVgg(caffe, vgg16);
    const probe = tf.model({
      inputs: backbone.base.inputs,
      outputs: backbone.base.layers.slice(1).map((l) => l.output as tf.SymbolicTensor)
    });
    const outs = tf.tidy(() => probe.predict(backbone.preprocess(rgb)) as tf.Tensor[]);
    const names = backbone.base.layers.slice(1).map((l) => l.name);
    expect(names).toHaveLength(18);
    names.forEach((name, i) => {
      const want = expected.get(name)!;
      expect(outs[i].shape, name).toEqual([1, want.h, want.w, want.c]);
      expect(relativeError(outs[i].dataSync(), want.data), name).toBeLessThan(1e-4);
    });
    tf.dispose([...outs, rgb]);
    backbone.dispose();
  });

  it("through ONNX Runtime (the app's path for frozen passes) every block's pool equals the naive network at 32 px", async () => {
    const { rgb, caffe } = randomImage(32, 3);
    const expected = naiveVgg(caffe, vgg16);
    const photo = Uint8Array.from(rgb.dataSync());
    for (const block of [1, 2, 3, 4, 5]) {
      const layer = `block${block}_pool`;
      const cut = await loadBackbone({ id: 'vgg16', weightsPath: oldFile, inputSize: 32, featureLayer: layer });
      const forward = await openBackboneForward(cut, 'maps');
      expect(forward.info.runtime, layer).toBe('onnxruntime');
      const want = expected.get(layer)!;
      expect(forward.outputShape, layer).toEqual([want.h, want.w, want.c]);
      expect(relativeError(await forward.run([photo]), want.data), layer).toBeLessThan(1e-4);
      await forward.dispose();
      cut.dispose();
    }
    rgb.dispose();
  });

  it('loads the new naming from a full-model file (fc layers skipped) to identical features', async () => {
    const a = await loadBackbone({ id: 'vgg16', weightsPath: oldFile, inputSize: 32 });
    const b = await loadBackbone({ id: 'vgg16', weightsPath: newFullFile, inputSize: 32 });
    const { rgb } = randomImage(32, 5);
    const [fa, fb] = [a.embed(rgb), b.embed(rgb)];
    expect(fb.shape).toEqual([1, 512]);
    expect(relativeError(fb.dataSync(), fa.dataSync())).toBe(0);
    tf.dispose([fa, fb, rgb]);
    a.dispose();
    b.dispose();
  });

  it('works at 64 px and at 100 px (odd pooling floors like Keras)', async () => {
    const at64 = await loadBackbone({ id: 'vgg16', weightsPath: oldFile, inputSize: 64 });
    expect(at64.base.outputs[0].shape).toEqual([null, 2, 2, 512]);
    at64.dispose();
    const at100 = await loadBackbone({ id: 'vgg16', weightsPath: oldFile, inputSize: 100 });
    const { rgb, caffe } = randomImage(100, 9);
    const want = naiveVgg(caffe, vgg16).get('block5_pool')!;
    const got = tf.tidy(() => at100.base.predict(at100.preprocess(rgb)) as tf.Tensor);
    expect(got.shape).toEqual([1, 3, 3, 512]);
    expect(relativeError(got.dataSync(), want.data)).toBeLessThan(1e-4);
    const forward = await openBackboneForward(at100, 'maps');
    expect(forward.info.runtime).toBe('onnxruntime');
    expect(relativeError(await forward.run([Uint8Array.from(rgb.dataSync())]), want.data)).toBeLessThan(1e-4);
    await forward.dispose();
    const pooled = at100.embed(rgb, 'max');
    expect(pooled.shape).toEqual([1, 512]);
    tf.dispose([got, pooled, rgb]);
    at100.dispose();
  }, 180_000);

  it('declares caffe preprocessing, 512 features, block5 as top block and a weights key', async () => {
    const b = await loadBackbone({ id: 'vgg16', weightsPath: oldFile, inputSize: 32 });
    expect(b).toMatchObject({ id: 'vgg16', featureDim: 512, preprocessing: 'caffe', inputSize: 32 });
    expect(b.topBlockLayers).toEqual(['block5_conv1', 'block5_conv2', 'block5_conv3']);
    expect(b.weightsKey).toMatch(/^[0-9a-f]{16}$/);
    b.dispose();
  });

  it('returns tf.memory().numTensors to its baseline after load, embed and dispose', async () => {
    const baseline = tf.memory().numTensors;
    const b = await loadBackbone({ id: 'vgg16', weightsPath: oldFile, inputSize: 32 });
    const { rgb } = randomImage(32, 1);
    tf.dispose([b.embed(rgb), b.embed(rgb, 'max'), rgb]);
    b.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});

describe('VGG19 from Keras .h5', () => {
  it('restores all 16 conv layers including block5_conv4', async () => {
    const weights = randomVggWeights('vgg19', 11);
    const file = path.join(dir, 'vgg19.h5');
    await writeVggH5(file, weights, { naming: 'new' });
    const b = await loadBackbone({ id: 'vgg19', weightsPath: file, inputSize: 32 });
    const { rgb, caffe } = randomImage(32, 2);
    const want = naiveVgg(caffe, weights).get('block5_pool')!;
    const got = tf.tidy(() => b.base.predict(b.preprocess(rgb)) as tf.Tensor);
    expect(relativeError(got.dataSync(), want.data)).toBeLessThan(1e-4);
    const forward = await openBackboneForward(b, 'maps');
    expect(forward.info.runtime).toBe('onnxruntime');
    expect(relativeError(await forward.run([Uint8Array.from(rgb.dataSync())]), want.data)).toBeLessThan(1e-4);
    await forward.dispose();
    expect(b.topBlockLayers).toContain('block5_conv4');
    tf.dispose([got, rgb]);
    b.dispose();
    rmSync(file);
  });
});
