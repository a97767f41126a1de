/**
 * The network whose filters are visualised: a backbone's whole conv base (VGG16/19 and
 * MobileNetV2 built in code, so any input size), or a whole TF.js layers model ('custom', at
 * its own input size), with how it preprocesses and the key of its weights (for the cache).
 */
import type * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { Backbone } from '../backbone';
import { hashWeights, loadBackbone } from '../load-backbone';
import type { PreprocessingId } from '../preprocessing';
import { MOBILENET_ALPHAS, mobilenetSignature } from '../mobilenet-v2';
import { findNestedLayer, isTeachableMachineExport, loadTfjsModel, modelJsonPath } from '../tfjs-folder';
import { layerOutputShape, type FoundLayer } from './layers';

export interface FilterModel {
  /** Backbone id as given ('vgg16', 'mobilenet_v2', 'custom', …). */
  id: string;
  /** Stable id of the weights (see Backbone.weightsKey). */
  weightsKey: string;
  preprocessing: PreprocessingId;
  /** Input side, px. */
  inputSize: number;
  /** Maps [N, S, S, 3] preprocessed images to (at least) every conv layer's output. */
  model: tf.LayersModel;
  /** Whose weights these are: the pretrained file's, or a fine-tuned run's own (see run-filter-model.ts). */
  source: FilterWeightsSource;
  /**
   * Cache key of the weights one layer's images depend on (that layer and every layer before it).
   * Absent: weightsKey for every layer.
   */
  layerWeightsKey?(layer: FoundLayer): string;
  dispose(): void;
}

/** Whose weights a filter model holds. */
export interface FilterWeightsSource {
  /** 'run': a fine-tuned run's saved classifier; 'pretrained': the backbone's weights file. */
  kind: 'run' | 'pretrained';
  /** Why a run's own weights were asked for and not used (its model folder is missing or damaged); else null. */
  fallback: string | null;
  /** Conv layers whose images differ from the pretrained network's (they are at or above a layer the run changed). */
  refinedLayers: string[];
}

export const PRETRAINED_SOURCE: FilterWeightsSource = { kind: 'pretrained', fallback: null, refinedLayers: [] };

export interface LoadFilterModelOptions {
  /** 'vgg16' | 'vgg19' | 'mobilenet_v2' | 'mobilenet_v2_035' | 'mobilenet_v2_100' | 'custom'. */
  backboneId: string;
  /** Keras .h5 file, or a TF.js layers-model folder / model.json. */
  weightsPath: string;
  /** Input side, px; a custom model keeps its own. */
  inputSize: number;
}

/** The backbone with its pretrained weights (see loadRunFilterModel for a fine-tuned run's own). */
export async function loadFilterModel(opts: LoadFilterModelOptions): Promise<FilterModel> {
  if (opts.backboneId !== 'custom') {
    return filterModelFromBackbone(await loadBackbone({ id: opts.backboneId, weightsPath: opts.weightsPath, inputSize: opts.inputSize }));
  }
  const weightsPath = path.resolve(opts.weightsPath);
  if (!existsSync(weightsPath)) throw new AppError('WEIGHTS_MISSING', `Weights not found: ${weightsPath}. Check the path and try again.`);
  const jsonFile = modelJsonPath(weightsPath);
  if (!jsonFile) throw new AppError('INVALID_REQUEST', `A custom backbone needs a TF.js layers-model folder (model.json): ${weightsPath}`);
  const weightsKey = await hashWeights([jsonFile, ...shardFiles(jsonFile)]);
  const model = await loadTfjsModel(jsonFile);
  const size = model.inputs[0].shape[1];
  return {
    id: 'custom',
    weightsKey,
    preprocessing: isTeachableMachineExport(jsonFile) ? 'tm' : 'tf',
    inputSize: typeof size === 'number' ? size : opts.inputSize,
    model,
    source: PRETRAINED_SOURCE,
    dispose: () => disposeFully(model)
  };
}

/** A loaded backbone's conv base as a filter model (its base holds every conv layer). */
export function filterModelFromBackbone(backbone: Backbone): FilterModel {
  return {
    id: backbone.id,
    weightsKey: backbone.weightsKey,
    preprocessing: backbone.preprocessing,
    inputSize: backbone.inputSize,
    model: backbone.base,
    source: PRETRAINED_SOURCE,
    dispose: () => backbone.dispose()
  };
}

/** The name people know the network by ('VGG16', 'MobileNetV2 0.35'), else the backbone id. */
export function networkName(m: Pick<FilterModel, 'id' | 'model'>): string {
  if (m.id === 'vgg16' || m.id === 'vgg19') return m.id.toUpperCase();
  if (!m.id.startsWith('mobilenet_v2')) return m.id;
  const filters = (name: string) => {
    const hit = findNestedLayer(m.model, name);
    return hit ? layerOutputShape(hit.layer).at(-1) : undefined;
  };
  const alpha = MOBILENET_ALPHAS.find((a) => Object.entries(mobilenetSignature(a)).every(([layer, n]) => filters(layer) === n));
  return alpha === undefined ? 'MobileNetV2' : `MobileNetV2 ${alpha}`;
}

/** The weight files model.json names that exist beside it. */
export function shardFiles(jsonFile: string): string[] {
  const dir = path.dirname(jsonFile);
  try {
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { weightsManifest?: { paths?: string[] }[] };
    return (json.weightsManifest ?? []).flatMap((g) => (g.paths ?? []).map((p) => path.join(dir, p))).filter((f) => existsSync(f));
  } catch {
    return []; // loadTfjsModel reports an unreadable model.json with a clear message
  }
}

/** Nested Sequential models leave a few variables behind on dispose (see load-backbone.ts). */
function disposeFully(model: tf.LayersModel): void {
  const variables = model.weights.map((w) => w.read());
  model.dispose();
  for (const v of variables) if (!v.isDisposed) v.dispose();
}
