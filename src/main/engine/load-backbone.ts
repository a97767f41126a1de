/** loadBackbone: picks the family by id, reads the weights file or folder, restores strictly. */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { makeBackbone, type Backbone } from './backbone';
import { readKerasH5 } from './keras-h5';
import { buildMobileNetV2, mobilenetSignature, mobilenetTopBlock, MOBILENET_ALPHAS } from './mobilenet-v2';
import { assignWeights, type NamedWeights } from './named-weights';
import type { PreprocessingId } from './preprocessing';
import { findNestedLayer, isTeachableMachineExport, loadTfjsModel, modelJsonPath, readTfjsWeights } from './tfjs-folder';
import { buildVgg, isVggId, VGG_MIN_INPUT, vggTopBlock } from './vgg';
import { folderWithoutModelJson } from './weights-identity';

export interface LoadBackboneOptions {
  /** 'vgg16' | 'vgg19' | 'mobilenet_v2' | 'mobilenet_v2_035' | 'mobilenet_v2_100' | 'custom' */
  id: string;
  /** Keras .h5 file, or a TF.js layers-model folder / model.json. */
  weightsPath: string;
  /** Input side, px (default 224; a custom TF.js model keeps its own). */
  inputSize?: number;
  /** Layer whose output is the feature map (default: block5_pool / out_relu). */
  featureLayer?: string;
  /** Overrides the preprocessing inferred from the family (custom backbones). */
  preprocessing?: PreprocessingId;
}

const DEFAULT_SIZE = 224;

export async function loadBackbone(opts: LoadBackboneOptions): Promise<Backbone> {
  const weightsPath = path.resolve(opts.weightsPath);
  if (!existsSync(weightsPath))
    throw new AppError(
      'WEIGHTS_MISSING',
      `Weights not found: ${weightsPath}. Fetch them (npm run models:fetch) or import the weights file, then try again.`
    );
  const inputSize = opts.inputSize ?? DEFAULT_SIZE;
  if (!Number.isInteger(inputSize) || inputSize < VGG_MIN_INPUT) {
    throw new AppError('INVALID_REQUEST', `Input size must be an integer ≥ ${VGG_MIN_INPUT} px, got ${inputSize}`);
  }
  const jsonFile = modelJsonPath(weightsPath);
  if (jsonFile === null && statSync(weightsPath).isDirectory()) {
    throw folderWithoutModelJson(weightsPath);
  }
  const weightsKey = await hashWeights(jsonFile ? tfjsFiles(jsonFile) : [weightsPath]);
  if (opts.id === 'custom') return loadCustom(opts, jsonFile, weightsKey);
  const weights = jsonFile ? readTfjsWeights(jsonFile) : await readKerasH5(weightsPath);
  const common = { weightsPath, inputSize, weightsKey, featureLayer: opts.featureLayer };
  if (isVggId(opts.id)) return restoreVgg(opts.id, weights, common, opts.preprocessing ?? 'caffe');
  if (opts.id.startsWith('mobilenet_v2')) {
    const tm = jsonFile !== null && isTeachableMachineExport(jsonFile);
    return restoreMobileNet(opts.id, weights, common, opts.preprocessing ?? (tm ? 'tm' : 'tf'));
  }
  throw new AppError(
    'INVALID_REQUEST',
    `Unknown backbone "${opts.id}" (vgg16, vgg19, mobilenet_v2, mobilenet_v2_035, mobilenet_v2_100, custom).`
  );
}

interface Common {
  weightsPath: string;
  inputSize: number;
  weightsKey: string;
  featureLayer?: string;
}

/** Builds, restores and wraps; on any failure the half-built model is disposed. */
function restore(model: tf.LayersModel, weights: NamedWeights, source: string): tf.LayersModel {
  try {
    assignWeights(model, weights, { source });
    return model;
  } catch (err) {
    model.dispose();
    throw err;
  }
}

function restoreVgg(id: 'vgg16' | 'vgg19', weights: NamedWeights, c: Common, preprocessing: PreprocessingId): Backbone {
  let model: tf.LayersModel;
  try {
    model = buildVgg(id, c.inputSize, c.featureLayer);
  } catch (err) {
    throw new AppError('INVALID_REQUEST', (err as Error).message);
  }
  if (!c.featureLayer) restore(model, weights, c.weightsPath);
  else copyFromFullBase(id, model, weights, c);
  return makeBackbone({
    id,
    inputSize: c.inputSize,
    preprocessing,
    weightsKey: c.weightsKey,
    base: model,
    topBlockLayers: vggTopBlock(id)
  });
}

/** Restores the full base (so a cut at block4 still gets a strict check of the file), then copies into the cut. */
function copyFromFullBase(id: 'vgg16' | 'vgg19', cut: tf.LayersModel, weights: NamedWeights, c: Common): void {
  try {
    const full = restore(buildVgg(id, c.inputSize), weights, c.weightsPath);
    const fullByName = new Map(full.layers.map((l) => [l.name, l]));
    cut.layers.forEach((l) => l.setWeights(fullByName.get(l.name)!.getWeights()));
    full.dispose();
  } catch (err) {
    cut.dispose();
    throw err;
  }
}

/** Alpha of a MobileNetV2 weights set, from the channel counts of its key layers. */
export function detectMobileNetAlpha(weights: NamedWeights, source: string): number {
  const channels = (layer: string): number | undefined => {
    const w = weights.get(layer)?.[0];
    return w ? w.shape[w.shape.length - 1] : undefined;
  };
  for (const alpha of MOBILENET_ALPHAS) {
    const sig = mobilenetSignature(alpha);
    if (Object.entries(sig).every(([layer, n]) => channels(layer) === n)) return alpha;
  }
  throw new AppError(
    'WEIGHTS_INVALID',
    `${source}: not MobileNetV2 weights of a known width (Conv1 has ${channels('Conv1') ?? 'no'} filters, Conv_1 has ${channels('Conv_1') ?? 'no'}).`
  );
}

function restoreMobileNet(id: string, weights: NamedWeights, c: Common, preprocessing: PreprocessingId): Backbone {
  const detected = detectMobileNetAlpha(weights, c.weightsPath);
  const wanted = id === 'mobilenet_v2_035' ? 0.35 : id === 'mobilenet_v2_100' ? 1.0 : detected;
  if (wanted !== detected)
    throw new AppError('WEIGHTS_INVALID', `${c.weightsPath}: these are MobileNetV2 ${detected} weights, not ${wanted}.`);
  if (c.featureLayer && c.featureLayer !== 'out_relu')
    throw new AppError('INVALID_REQUEST', 'mobilenet_v2 supports only featureLayer out_relu');
  const model = restore(buildMobileNetV2(detected, c.inputSize), weights, c.weightsPath);
  return makeBackbone({
    id,
    inputSize: c.inputSize,
    preprocessing,
    weightsKey: c.weightsKey,
    base: model,
    topBlockLayers: mobilenetTopBlock(model)
  });
}

/** Any TF.js layers model cut at a named layer; keeps the model's own input size. */
async function loadCustom(opts: LoadBackboneOptions, jsonFile: string | null, weightsKey: string): Promise<Backbone> {
  if (!jsonFile) throw new AppError('INVALID_REQUEST', 'A custom backbone needs a TF.js layers-model folder (model.json).');
  if (!opts.featureLayer)
    throw new AppError('INVALID_REQUEST', 'A custom backbone needs featureLayer (the layer whose output is the feature map).');
  const full = await loadTfjsModel(jsonFile);
  const hit = findNestedLayer(full, opts.featureLayer);
  if (!hit) {
    full.dispose();
    throw new AppError('WEIGHTS_INVALID', `${jsonFile}: no layer named ${opts.featureLayer}.`);
  }
  const base = tf.model({ inputs: hit.owner.inputs, outputs: hit.layer.output as tf.SymbolicTensor, name: 'custom_base' });
  const size = base.inputs[0].shape[1];
  const withWeights = base.layers.filter((l) => l.weights.length > 0).map((l) => l.name);
  return makeBackbone({
    id: 'custom',
    inputSize: typeof size === 'number' ? size : (opts.inputSize ?? DEFAULT_SIZE),
    preprocessing: opts.preprocessing ?? (isTeachableMachineExport(jsonFile) ? 'tm' : 'tf'),
    weightsKey,
    base,
    topBlockLayers: withWeights.slice(-1),
    disposeModel: () => disposeFully(full)
  });
}

/**
 * Disposes a loaded model and any weight it leaves behind: tfjs-layers' dispose of nested
 * Sequential models skips a few variables (3 for the Teachable Machine export).
 */
function disposeFully(model: tf.LayersModel): void {
  const variables = model.weights.map((w) => w.read());
  model.dispose();
  for (const v of variables) if (!v.isDisposed) v.dispose();
}

/** model.json plus its shards, in manifest order (hashed together as the weights key). */
function tfjsFiles(jsonFile: string): string[] {
  const dir = path.dirname(jsonFile);
  let paths: string[] = [];
  try {
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { weightsManifest?: { paths?: string[] }[] };
    paths = (json.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
  } catch {
    // an unparsable model.json is reported with a clear message by the reader
  }
  return [jsonFile, ...paths.map((p) => path.join(dir, p)).filter((f) => existsSync(f))];
}

/** First 16 hex of sha256 over the files, streamed (VGG19 weights are 80 MB). */
export async function hashWeights(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex').slice(0, 16);
}
