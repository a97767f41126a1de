/** VGG16 / VGG19 conv bases, built with Keras's layer names so Keras weights load by name. */
import * as tf from '@tensorflow/tfjs';

export type VggId = 'vgg16' | 'vgg19';

const CONVS_PER_BLOCK: Record<VggId, number[]> = { vgg16: [2, 2, 3, 3, 3], vgg19: [2, 2, 4, 4, 4] };
const FILTERS = [64, 128, 256, 512, 512];
/** Five 2×2 pools: below 32 px block5 would be empty. */
export const VGG_MIN_INPUT = 32;

export function isVggId(id: string): id is VggId {
  return id === 'vgg16' || id === 'vgg19';
}

/** Conv layer names of a VGG, in order (block1_conv1 … block5_conv3/4). */
export function vggConvLayerNames(id: VggId): string[] {
  return CONVS_PER_BLOCK[id].flatMap((n, b) => Array.from({ length: n }, (_, c) => `block${b + 1}_conv${c + 1}`));
}

/**
 * [N,S,S,3] caffe-preprocessed → block5_pool (or `featureLayer`). Weights start at zero: they
 * are always overwritten by a weights file, and skipping random init saves seconds.
 */
export function buildVgg(id: VggId, inputSize: number, featureLayer = 'block5_pool'): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  let x: tf.SymbolicTensor = input;
  const names = vggLayerNames(id);
  // Check first and stop at the feature layer: layers built past it would belong to no model,
  // and their weights could never be disposed.
  if (!names.includes(featureLayer)) throw new Error(`${id} has no layer named "${featureLayer}"`);
  for (const name of names.slice(0, names.indexOf(featureLayer) + 1)) {
    const block = Number(name[5]) - 1;
    const layer = name.endsWith('_pool')
      ? tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name })
      : tf.layers.conv2d({ filters: FILTERS[block], kernelSize: 3, padding: 'same', activation: 'relu', name, kernelInitializer: 'zeros' });
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: id });
}

/** All layer names of a VGG base in order, convs and pools (block1_conv1 … block5_pool). */
function vggLayerNames(id: VggId): string[] {
  return CONVS_PER_BLOCK[id].flatMap((n, b) => [
    ...Array.from({ length: n }, (_, c) => `block${b + 1}_conv${c + 1}`),
    `block${b + 1}_pool`
  ]);
}

/** The last conv block's layer names, the ones fine-tuning unfreezes. */
export function vggTopBlock(id: VggId): string[] {
  return vggConvLayerNames(id).filter((n) => n.startsWith('block5_'));
}
