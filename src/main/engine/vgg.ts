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
  let feature: tf.SymbolicTensor | null = null;
  CONVS_PER_BLOCK[id].forEach((convs, b) => {
    for (let c = 1; c <= convs; c++) {
      const name = `block${b + 1}_conv${c}`;
      x = tf.layers
        .conv2d({ filters: FILTERS[b], kernelSize: 3, padding: 'same', activation: 'relu', name, kernelInitializer: 'zeros' })
        .apply(x) as tf.SymbolicTensor;
      if (name === featureLayer) feature = x;
    }
    const pool = `block${b + 1}_pool`;
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: pool }).apply(x) as tf.SymbolicTensor;
    if (pool === featureLayer) feature = x;
  });
  if (!feature) throw new Error(`${id} has no layer named "${featureLayer}"`);
  return tf.model({ inputs: input, outputs: feature, name: id });
}

/** The last conv block's layer names, the ones fine-tuning unfreezes. */
export function vggTopBlock(id: VggId): string[] {
  return vggConvLayerNames(id).filter((n) => n.startsWith('block5_'));
}
