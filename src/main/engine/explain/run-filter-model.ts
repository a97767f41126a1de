/**
 * A fine-tuned run's own network for the filter gallery. Fine-tuning changes the top block of
 * the base, so the pretrained weights file no longer holds the filters the run's classifier
 * uses: the backbone is built at the gallery's size as usual, then every layer of the saved
 * classifier's conv base (its model folder) gives it its weights. Layers the run left as they
 * were keep sharing the pretrained network's cached images; the others get the saved model's
 * weights hash as their cache key.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { hashWeights } from '../load-backbone';
import { loadModelFolder } from '../trainer/model-folder';
import { loadFilterModel, shardFiles, type FilterModel, type LoadFilterModelOptions } from './filter-model';
import { findFeatureLayer, listConvLayers, type FoundLayer } from './layers';

export interface LoadRunFilterModelOptions extends LoadFilterModelOptions {
  /** The run's model folder (model.json, weights.bin, labels.json, preprocessing.json). */
  runModelDir: string;
}

/**
 * The backbone with the run's weights. A model folder that is missing, damaged or holds another
 * network is no error here: the pretrained weights are shown, and `source.fallback` says why.
 */
export async function loadRunFilterModel(opts: LoadRunFilterModelOptions): Promise<FilterModel> {
  const model = await loadFilterModel(opts);
  try {
    const changed = await copyRunWeights(model.model, opts.runModelDir);
    const runKey = await hashWeights(modelFiles(opts.runModelDir));
    const touched = (target: FoundLayer) => [...layersFeeding(target.output)].some((n) => changed.has(n));
    const refinedLayers = listConvLayers(model.model)
      .map((l) => l.name)
      .filter((name) => touched(findFeatureLayer(model.model, name, model.id)));
    return {
      ...model,
      weightsKey: runKey,
      source: { kind: 'run', fallback: null, refinedLayers },
      layerWeightsKey: (target) => (touched(target) ? runKey : model.weightsKey)
    };
  } catch (err) {
    // The pretrained network is still whole: copyRunWeights assigns only after every check passed.
    const why = err instanceof Error ? err.message : String(err);
    return { ...model, source: { kind: 'pretrained', fallback: why, refinedLayers: [] } };
  }
}

function modelFiles(dir: string): string[] {
  const json = path.join(dir, 'model.json');
  return [json, ...shardFiles(json)];
}

/**
 * Gives every layer of the saved classifier's conv base its weights in `target` (by layer name,
 * shapes checked first, all or nothing) and returns the names of the layers whose weights differ
 * from what `target` had.
 */
async function copyRunWeights(target: tf.LayersModel, dir: string): Promise<Set<string>> {
  const loaded = await loadModelFolder(dir);
  try {
    const base = classifierBase(loaded.model, dir);
    const byName = weightedLayers(target);
    const pairs = [...weightedLayers(base).values()].map((saved) => {
      const own = byName.get(saved.name);
      const fits =
        own !== undefined &&
        own.weights.length === saved.weights.length &&
        own.weights.every((w, i) => w.shape.join() === saved.weights[i].shape.join());
      if (!fits)
        throw new AppError(
          'WEIGHTS_INVALID',
          `The saved model in ${dir} does not fit this network (its layer ${saved.name} differs). Train the model again.`
        );
      return [own, saved] as const;
    });
    const changed = new Set<string>();
    for (const [own, saved] of pairs) {
      const values = saved.getWeights();
      if (values.some((v, i) => differs(v, own.getWeights()[i]))) changed.add(own.name);
      own.setWeights(values);
    }
    return changed;
  } finally {
    disposeFully(loaded.model);
  }
}

/** The nested conv base the classifier applies to its input (a multi-scale classifier also to a resized copy). */
function classifierBase(model: tf.LayersModel, dir: string): tf.LayersModel {
  const input = model.inputs[0];
  const base = model.layers.find(
    (l): l is tf.LayersModel =>
      l instanceof tf.LayersModel && l.inboundNodes.some((n) => n.inputTensors.length === 1 && n.inputTensors[0].id === input.id)
  );
  if (!base) throw new AppError('UNSUPPORTED', `The saved model in ${dir} has no conv base applied to its input. Train the model again.`);
  return base;
}

/** Layers with weights by name, looking into nested models. */
function weightedLayers(model: tf.LayersModel, into = new Map<string, tf.layers.Layer>()): Map<string, tf.layers.Layer> {
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) weightedLayers(layer, into);
    else if (layer.weights.length > 0) into.set(layer.name, layer);
  }
  return into;
}

function differs(a: tf.Tensor, b: tf.Tensor): boolean {
  return tf.tidy(() => tf.any(tf.notEqual(a, b)).dataSync()[0] !== 0);
}

/** Names of the layers a symbolic tensor is computed from (itself included; a nested model counts with all its layers). */
export function layersFeeding(output: tf.SymbolicTensor): Set<string> {
  const names = new Set<string>();
  const seen = new Set<number>();
  const visit = (t: tf.SymbolicTensor) => {
    if (seen.has(t.id)) return;
    seen.add(t.id);
    const layer = t.sourceLayer;
    names.add(layer.name);
    if (layer instanceof tf.LayersModel) weightedLayers(layer).forEach((_, name) => names.add(name));
    layer.inboundNodes[t.nodeIndex]?.inputTensors.forEach(visit);
  };
  visit(output);
  return names;
}

/** A loaded model and any variable its nested models leave behind (see load-backbone.ts). */
function disposeFully(model: tf.LayersModel): void {
  const variables = model.weights.map((w) => w.read());
  model.dispose();
  for (const v of variables) if (!v.isDisposed) v.dispose();
}
