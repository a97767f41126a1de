/**
 * MobileNetV2 conv base built in code with Keras's layer names (keras.applications), so
 * Keras's published no_top .h5 files and TF.js exports (Teachable Machine) load by name.
 */
import * as tf from '@tensorflow/tfjs';

export const MOBILENET_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4] as const;

/** (expansion, filters, stride) of blocks 0..16, as in keras.applications.MobileNetV2. */
const BLOCKS: [number, number, number][] = [
  [1, 16, 1],
  [6, 24, 2],
  [6, 24, 1],
  [6, 32, 2],
  [6, 32, 1],
  [6, 32, 1],
  [6, 64, 2],
  [6, 64, 1],
  [6, 64, 1],
  [6, 64, 1],
  [6, 96, 1],
  [6, 96, 1],
  [6, 96, 1],
  [6, 160, 2],
  [6, 160, 1],
  [6, 160, 1],
  [6, 320, 1]
];

export function makeDivisible(v: number, divisor = 8): number {
  let out = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** Output channels of the key layers for an alpha; used to recognise the alpha of a weights file. */
export function mobilenetSignature(alpha: number): Record<string, number> {
  return {
    Conv1: makeDivisible(32 * alpha),
    block_1_project: makeDivisible(Math.trunc(24 * alpha)),
    block_16_project: makeDivisible(Math.trunc(320 * alpha)),
    Conv_1: alpha > 1 ? makeDivisible(1280 * alpha) : 1280
  };
}

type Sym = tf.SymbolicTensor;

function bn(name: string): tf.layers.Layer {
  return tf.layers.batchNormalization({ axis: -1, epsilon: 1e-3, momentum: 0.999, name });
}

function conv1x1(filters: number, name: string): tf.layers.Layer {
  return tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false, name, kernelInitializer: 'zeros' });
}

/** Keras's correct_pad: pad so a stride-2 3×3 'valid' conv matches TF's 'same'. */
function correctPad(x: Sym): [[number, number], [number, number]] {
  const [, h, w] = x.shape as number[];
  return [
    [h % 2 === 0 ? 0 : 1, 1],
    [w % 2 === 0 ? 0 : 1, 1]
  ];
}

function invertedResBlock(input: Sym, alpha: number, blockId: number): Sym {
  const [expansion, filters, stride] = BLOCKS[blockId];
  const inChannels = input.shape[input.shape.length - 1] as number;
  const pointwise = makeDivisible(Math.trunc(filters * alpha));
  let prefix = `block_${blockId}_`;
  let x = input;
  if (blockId > 0) {
    x = conv1x1(expansion * inChannels, `${prefix}expand`).apply(x) as Sym;
    x = bn(`${prefix}expand_BN`).apply(x) as Sym;
    x = tf.layers.reLU({ maxValue: 6, name: `${prefix}expand_relu` }).apply(x) as Sym;
  } else {
    prefix = 'expanded_conv_';
  }
  if (stride === 2) x = tf.layers.zeroPadding2d({ padding: correctPad(x), name: `${prefix}pad` }).apply(x) as Sym;
  x = tf.layers
    .depthwiseConv2d({
      kernelSize: 3,
      strides: stride,
      useBias: false,
      padding: stride === 1 ? 'same' : 'valid',
      name: `${prefix}depthwise`,
      depthwiseInitializer: 'zeros'
    })
    .apply(x) as Sym;
  x = bn(`${prefix}depthwise_BN`).apply(x) as Sym;
  x = tf.layers.reLU({ maxValue: 6, name: `${prefix}depthwise_relu` }).apply(x) as Sym;
  x = conv1x1(pointwise, `${prefix}project`).apply(x) as Sym;
  x = bn(`${prefix}project_BN`).apply(x) as Sym;
  if (inChannels === pointwise && stride === 1) return tf.layers.add({ name: `${prefix}add` }).apply([input, x]) as Sym;
  return x;
}

/** [N,S,S,3] in [-1,1] → out_relu [N,h,w,1280·max(1,alpha)]. */
export function buildMobileNetV2(alpha: number, inputSize: number): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  let x = tf.layers.zeroPadding2d({ padding: correctPad(input), name: 'Conv1_pad' }).apply(input) as Sym;
  x = tf.layers
    .conv2d({
      filters: makeDivisible(32 * alpha),
      kernelSize: 3,
      strides: 2,
      padding: 'valid',
      useBias: false,
      name: 'Conv1',
      kernelInitializer: 'zeros'
    })
    .apply(x) as Sym;
  x = bn('bn_Conv1').apply(x) as Sym;
  x = tf.layers.reLU({ maxValue: 6, name: 'Conv1_relu' }).apply(x) as Sym;
  for (let id = 0; id < BLOCKS.length; id++) x = invertedResBlock(x, alpha, id);
  x = conv1x1(alpha > 1 ? makeDivisible(1280 * alpha) : 1280, 'Conv_1').apply(x) as Sym;
  x = bn('Conv_1_bn').apply(x) as Sym;
  x = tf.layers.reLU({ maxValue: 6, name: 'out_relu' }).apply(x) as Sym;
  return tf.model({ inputs: input, outputs: x, name: `mobilenetv2_${alpha}_${inputSize}` });
}

/** Layers with weights in the last inverted-residual block and the final 1×1 conv. */
export function mobilenetTopBlock(model: tf.LayersModel): string[] {
  return model.layers
    .filter((l) => (l.name.startsWith('block_16_') || l.name.startsWith('Conv_1')) && l.weights.length > 0)
    .map((l) => l.name);
}
