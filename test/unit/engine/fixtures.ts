/** Test fixtures: Keras-shaped .h5 files with random weights, written with h5wasm. */
import h5wasm from 'h5wasm/node';
import { vggConvLayerNames, type VggId } from '../../../src/main/engine/vgg';

export interface LayerWeights {
  layer: string;
  kernel: Float32Array;
  kernelShape: number[];
  bias: Float32Array;
}

/** Deterministic uniform RNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** He-uniform-ish random conv weights for every conv layer of a VGG. */
export function randomVggWeights(id: VggId, seed = 1): LayerWeights[] {
  const next = rng(seed);
  let cin = 3;
  return vggConvLayerNames(id).map((layer) => {
    const block = Number(layer[5]);
    const cout = [64, 128, 256, 512, 512][block - 1];
    const n = 9 * cin * cout;
    const limit = Math.sqrt(6 / (9 * cin));
    const kernel = new Float32Array(n);
    for (let i = 0; i < n; i++) kernel[i] = (next() * 2 - 1) * limit;
    const bias = new Float32Array(cout);
    for (let i = 0; i < cout; i++) bias[i] = (next() * 2 - 1) * 0.1;
    const out = { layer, kernel, kernelShape: [3, 3, cin, cout], bias };
    cin = cout;
    return out;
  });
}

export type Naming = 'old' | 'new';

export interface H5Options {
  naming: Naming;
  /** Add Keras's classifier top (flatten, fc1, fc2, predictions) like a full-model file. */
  withTop?: boolean;
  /** Put everything under /model_weights, as model.save() does. */
  underModelWeights?: boolean;
  /** Leave out a layer's weights entirely. */
  dropLayer?: string;
}

/** Writes a Keras-layout weights file: layer_names, per-layer weight_names, datasets. */
export async function writeVggH5(file: string, layers: LayerWeights[], opts: H5Options): Promise<void> {
  await h5wasm.ready;
  const f = new h5wasm.File(file, 'w');
  try {
    const root = opts.underModelWeights ? f.create_group('model_weights') : f;
    const kept = layers.filter((l) => l.layer !== opts.dropLayer);
    const names = ['input_1', ...kept.map((l) => l.layer)];
    root.create_group('input_1').create_attribute('weight_names', [] as string[]);
    for (const l of kept) {
      const [k, b] = opts.naming === 'old' ? [`${l.layer}_W_1:0`, `${l.layer}_b_1:0`] : [`${l.layer}/kernel:0`, `${l.layer}/bias:0`];
      writeLayer(root, l.layer, [
        [k, l.kernel, l.kernelShape],
        [b, l.bias, [l.bias.length]]
      ]);
    }
    if (opts.withTop) names.push(...writeTop(root));
    root.create_attribute('layer_names', names);
  } finally {
    f.close();
  }
}

type Group = ReturnType<InstanceType<typeof h5wasm.File>['create_group']>;

function writeLayer(root: Group, layer: string, weights: [string, Float32Array, number[]][]): void {
  const g = root.create_group(layer);
  for (const [name, data, shape] of weights) {
    const slash = name.lastIndexOf('/');
    const parent = slash > 0 ? ensureGroup(g, name.slice(0, slash)) : g;
    parent.create_dataset({ name: name.slice(slash + 1), data, shape, dtype: '<f' });
  }
  g.create_attribute(
    'weight_names',
    weights.map((w) => w[0])
  );
}

function ensureGroup(g: Group, name: string): Group {
  const existing = g.get(name);
  return existing instanceof h5wasm.Group ? existing : g.create_group(name);
}

/** A tiny stand-in for fc1/fc2/predictions (shapes do not matter: the top is skipped). */
function writeTop(root: Group): string[] {
  root.create_group('flatten').create_attribute('weight_names', [] as string[]);
  for (const [name, n] of [
    ['fc1', 8],
    ['fc2', 8],
    ['predictions', 4]
  ] as const) {
    writeLayer(root, name, [
      [`${name}/kernel:0`, new Float32Array(n * n), [n, n]],
      [`${name}/bias:0`, new Float32Array(n), [n]]
    ]);
  }
  return ['flatten', 'fc1', 'fc2', 'predictions'];
}
