/**
 * TF.js layers-model folders (model.json + weight shards), read from disk without tfjs-node:
 * as named weights (to restore a backbone built in code) or as a whole model (custom backbones).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { parseJsonText } from '../../shared/parse-json';
import type { NamedWeights } from './named-weights';

/** The model.json of a folder, or the file itself if it is one; null if neither. */
export function modelJsonPath(weightsPath: string): string | null {
  if (existsSync(weightsPath) && statSync(weightsPath).isDirectory()) {
    const file = path.join(weightsPath, 'model.json');
    return existsSync(file) ? file : null;
  }
  return weightsPath.endsWith('.json') && existsSync(weightsPath) ? weightsPath : null;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
}

function readModelJson(file: string): ModelJson {
  let json: unknown;
  try {
    json = parseJsonText(readFileSync(file, 'utf8'), file);
  } catch (err) {
    throw new AppError('WEIGHTS_INVALID', (err as Error).message);
  }
  const rec = json as Partial<ModelJson>;
  if (typeof rec !== 'object' || rec === null || !rec.modelTopology || !Array.isArray(rec.weightsManifest)) {
    throw new AppError('WEIGHTS_INVALID', `${file} is not a TF.js layers model (no modelTopology/weightsManifest).`);
  }
  return rec as ModelJson;
}

/** Artifacts of a folder; shard sizes are checked against the manifest so truncation is caught. */
export function readArtifacts(file: string): tf.io.ModelArtifacts {
  const json = readModelJson(file);
  const dir = path.dirname(file);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const expected = specs.reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1) * bytesPerElement(s), 0);
  const shards = json.weightsManifest
    .flatMap((g) => g.paths)
    .map((p) => {
      const shard = path.join(dir, p);
      if (!existsSync(shard)) throw new AppError('WEIGHTS_INVALID', `${file}: weight shard ${p} is missing.`);
      return readFileSync(shard);
    });
  const data = Buffer.concat(shards);
  if (data.length !== expected) {
    throw new AppError('WEIGHTS_INVALID', `${file}: weight shards hold ${data.length} bytes, the manifest needs ${expected} (truncated?).`);
  }
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer;
  return { modelTopology: json.modelTopology, weightSpecs: specs, weightData, format: json.format };
}

function bytesPerElement(spec: tf.io.WeightsManifestEntry): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  return spec.dtype === 'bool' ? 1 : 4;
}

/** Weights of every layer by layer name ("Conv1/kernel" → layer "Conv1"). */
export function readTfjsWeights(file: string): NamedWeights {
  const artifacts = readArtifacts(file);
  const out: NamedWeights = new Map();
  const tensors = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs ?? []);
  try {
    for (const spec of artifacts.weightSpecs ?? []) {
      const slash = spec.name.lastIndexOf('/');
      const layer = slash > 0 ? spec.name.slice(0, slash) : spec.name;
      const list = out.get(layer) ?? [];
      list.push({ name: spec.name, shape: spec.shape, data: Float32Array.from(tensors[spec.name].dataSync()) });
      out.set(layer, list);
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return out;
}

/** Loads the whole layers model from disk. */
export async function loadTfjsModel(file: string): Promise<tf.LayersModel> {
  const artifacts = readArtifacts(file);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new AppError('WEIGHTS_INVALID', `${file} could not be loaded as a TF.js layers model: ${(err as Error).message}`);
  }
}

/** True when a TF.js export was made by Teachable Machine (which preprocesses with x/127−1). */
export function isTeachableMachineExport(file: string): boolean {
  const meta = path.join(path.dirname(file), 'metadata.json');
  if (!existsSync(meta)) return false;
  try {
    return typeof (JSON.parse(readFileSync(meta, 'utf8')) as { tmVersion?: unknown }).tmVersion === 'string';
  } catch {
    return false;
  }
}

/** Finds a layer by name in a model and its nested sub-models; returns it with its owning model. */
export function findNestedLayer(model: tf.LayersModel, name: string): { owner: tf.LayersModel; layer: tf.layers.Layer } | null {
  for (const layer of model.layers) {
    if (layer.name === name) return { owner: model, layer };
    if (layer instanceof tf.LayersModel) {
      const hit = findNestedLayer(layer, name);
      if (hit) return hit;
    }
  }
  return null;
}
