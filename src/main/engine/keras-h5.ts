/**
 * Keras .h5 weights, read with h5wasm following Keras's own load_weights algorithm: the root
 * (or /model_weights) attribute `layer_names`, then each layer group's `weight_names`.
 */
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import type { NamedWeights, WeightArray } from './named-weights';

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True if the file starts with the HDF5 signature (user blocks are not used by Keras). */
export function isHdf5File(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    const n = readSync(fd, head, 0, 8, 0);
    return n === 8 && HDF5_MAGIC.every((b, i) => head[i] === b);
  } finally {
    closeSync(fd);
  }
}

type H5Module = typeof import('h5wasm');
let h5Promise: Promise<H5Module> | null = null;

async function h5(): Promise<H5Module> {
  h5Promise ??= import('h5wasm/node').then(async (mod) => {
    const lib = ((mod as unknown as { default?: H5Module }).default ?? mod) as H5Module;
    await lib.ready;
    return lib;
  });
  return h5Promise;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : new TextDecoder().decode(v as Uint8Array)));
  return [];
}

function toFloat32(value: unknown, name: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array || value instanceof Uint8Array || value instanceof Int32Array) return Float32Array.from(value);
  throw new Error(`dataset ${name} is not a numeric array`);
}

/** Reads all layers' weights. Throws WEIGHTS_INVALID for non-HDF5, truncated or non-Keras files. */
export async function readKerasH5(file: string): Promise<NamedWeights> {
  return readKerasH5With(file, true);
}

/** Layer names and weight shapes only (empty data): enough to tell which network a file is for. */
export async function readKerasH5Layout(file: string): Promise<NamedWeights> {
  return readKerasH5With(file, false);
}

async function readKerasH5With(file: string, withData: boolean): Promise<NamedWeights> {
  if (statSync(file).size < 8 || !isHdf5File(file)) {
    throw new AppError('WEIGHTS_INVALID', `${file} is not an HDF5 file (expected Keras .h5 weights).`);
  }
  const lib = await h5();
  let f: InstanceType<H5Module['File']> | null = null;
  try {
    f = new lib.File(file, 'r');
    return readLayers(lib, f, file, withData);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('WEIGHTS_INVALID', `${file} could not be read as HDF5 (truncated or damaged?): ${(err as Error).message}`);
  } finally {
    try {
      f?.close();
    } catch {
      // closing a file whose open failed half-way can throw; nothing more to release
    }
  }
}

function readLayers(lib: H5Module, f: InstanceType<H5Module['File']>, file: string, withData: boolean): NamedWeights {
  let root: InstanceType<H5Module['Group']> = f;
  if (!('layer_names' in f.attrs)) {
    const mw = f.get('model_weights');
    if (mw instanceof lib.Group) root = mw;
  }
  if (!('layer_names' in root.attrs)) {
    throw new AppError('WEIGHTS_INVALID', `${file} is HDF5 but not a Keras weights file (no layer_names attribute).`);
  }
  const out: NamedWeights = new Map();
  for (const layerName of stringList(root.attrs['layer_names'].value)) {
    const group = root.get(layerName);
    if (!(group instanceof lib.Group)) throw new AppError('WEIGHTS_INVALID', `${file}: layer group ${layerName} is listed but missing.`);
    const names = 'weight_names' in group.attrs ? stringList(group.attrs['weight_names'].value) : [];
    const weights: WeightArray[] = names.map((name) => {
      const ds = group.get(name);
      if (!(ds instanceof lib.Dataset))
        throw new AppError('WEIGHTS_INVALID', `${file}: weight ${layerName}/${name} is listed but missing.`);
      return { name, shape: ds.shape ?? [], data: withData ? toFloat32(ds.value, `${layerName}/${name}`) : new Float32Array(0) };
    });
    out.set(layerName, weights);
  }
  return out;
}
