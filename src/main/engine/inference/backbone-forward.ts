/** Frozen forward passes over a backbone's conv base: the features a run caches, or embed's. */
import type * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../backbone';
import type { ForwardSpec, FrozenForward } from './forward-spec';
import { openFrozenForward } from './open-forward';

/**
 * 'avg-flip': globally averaged features of the photo and of its mirror image side by side
 * (what the feature cache stores for the 'gap' head); 'avg' / 'max': one view, pooled;
 * 'maps': the unpooled [h,w,C] map of the feature layer.
 */
export type FeatureOutput = 'avg-flip' | 'avg' | 'max' | 'maps';

export function featureSpec(backbone: Pick<Backbone, 'inputSize' | 'preprocessing'>, output: FeatureOutput): ForwardSpec {
  const common = { inputSize: backbone.inputSize, preprocessing: backbone.preprocessing, merge: 'concat' as const };
  switch (output) {
    case 'avg-flip':
      return { ...common, views: 2, pool: 'avg' };
    case 'maps':
      return { ...common, views: 1, pool: 'none' };
    default:
      return { ...common, views: 1, pool: output };
  }
}

export interface BackboneForwardOptions {
  /** Folder for exported graphs (user cache dir; tests a temp dir). Without it nothing is kept. */
  cacheDir?: string;
  runtime?: 'auto' | 'tfjs';
  /** A cut of the base over its own layers (e.g. below the top block) instead of the whole base. */
  model?: tf.LayersModel;
}

export async function openBackboneForward(
  backbone: Backbone,
  output: FeatureOutput,
  opts: BackboneForwardOptions = {}
): Promise<FrozenForward> {
  const spec = featureSpec(backbone, output);
  const model = opts.model ?? backbone.base;
  const cut = model.outputs[0].sourceLayer.name;
  const cache = opts.cacheDir
    ? {
        dir: opts.cacheDir,
        label: `${backbone.id}-${backbone.inputSize}-${cut}-${output}`,
        parts: { backbone: backbone.id, weights: backbone.weightsKey, cut, ...spec }
      }
    : undefined;
  return openFrozenForward(model, spec, { cache, runtime: opts.runtime });
}
