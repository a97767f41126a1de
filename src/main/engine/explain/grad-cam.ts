/**
 * Grad-CAM (Selvaraju et al. 2017) for a saved classifier: the ReLU of the last conv feature
 * map's channels weighted by the spatial mean of the class score's gradient (see camTensor
 * for which score). Only the layers
 * after that map (a pooling layer, the head) are differentiated, so it costs a forward pass
 * plus a little, whatever the backbone, and works alike for frozen and fine-tuned bases.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { imagesToTensor } from '../image';
import { isPreprocessingId, preprocessImages, type PreprocessingId } from '../preprocessing';
import { loadModelFolder } from '../trainer/model-folder';
import { runGraph } from './graph-run';

/** A saved classifier, analysed once for Grad-CAM. */
export interface CamModel {
  model: tf.LayersModel;
  /** Class names in output order. */
  labels: string[];
  preprocessing: PreprocessingId;
  /** Square input side, px. */
  inputSize: number;
  /** The nested conv base (image → feature map). */
  base: tf.LayersModel;
  /** The feature map Grad-CAM weighs, inside `base`, and the layer that makes it. */
  target: tf.SymbolicTensor;
  targetLayer: string;
  /** The base's output as the classifier's graph sees it (where the head side starts). */
  baseOutput: tf.SymbolicTensor;
  /**
   * A multi-scale classifier's other uses of the same base (on the photo resized in the graph):
   * what the base gets there and what it gives. Empty for a single-scale classifier.
   */
  smaller: { baseInput: tf.SymbolicTensor; baseOutput: tf.SymbolicTensor }[];
  /** The softmax Dense layer run without softmax (scores are logits); null: log-probabilities. */
  logitsLayer: string | null;
  dispose(): void;
}

/** Layers that only pool space: Grad-CAM looks through them to the finer map before. */
const POOLING = new Set(['MaxPooling2D', 'AveragePooling2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D']);

/** Loads a run's model folder (model.json, labels.json, preprocessing.json) for Grad-CAM. */
export async function loadCamModel(modelDir: string): Promise<CamModel> {
  const loaded = await loadModelFolder(modelDir);
  try {
    return camModelFrom(loaded.model, loaded.labels, loaded.preprocessing.mode, loaded.preprocessing.inputSize, modelDir);
  } catch (err) {
    loaded.model.dispose();
    throw err;
  }
}

/** Analyses a classifier built as the trainer builds it: image → nested conv base → (pooling) → head. */
export function camModelFrom(model: tf.LayersModel, labels: string[], mode: string, inputSize: number, source: string): CamModel {
  if (!isPreprocessingId(mode))
    throw new AppError('UNSUPPORTED', `Model ${source} needs preprocessing "${mode}", which this app does not know.`);
  const input = model.inputs[0];
  const base = model.layers.find((l): l is tf.LayersModel => l instanceof tf.LayersModel && appliedTo(l, input) !== null);
  const baseOutput = base ? appliedTo(base, input) : null;
  if (!base || !baseOutput)
    throw new AppError(
      'UNSUPPORTED',
      `Model ${source} has no conv base applied to its input; Grad-CAM needs one. Train the model again with this app.`
    );
  const target = camTarget(base);
  // The model's own input shape is what it was trained at; preprocessing.json only repeats it.
  const side = input.shape[1];
  return {
    model,
    labels,
    preprocessing: mode,
    inputSize: typeof side === 'number' ? side : inputSize,
    base,
    target,
    targetLayer: target.sourceLayer.name,
    baseOutput,
    smaller: base.inboundNodes
      // Node 0 of a functional model is its own input → output; the others are its uses.
      .filter((n) => n.inputTensors.length === 1 && ![input.id, base.inputs[0].id].includes(n.inputTensors[0].id))
      .map((n) => ({ baseInput: n.inputTensors[0], baseOutput: n.outputTensors[0] })),
    logitsLayer: softmaxDense(model.outputs[0]),
    dispose: () => model.dispose()
  };
}

/** The output of `layer` where it is applied to `input` in the outer graph, or null. */
function appliedTo(layer: tf.layers.Layer, input: tf.SymbolicTensor): tf.SymbolicTensor | null {
  const node = layer.inboundNodes.find((n) => n.inputTensors.length === 1 && n.inputTensors[0].id === input.id);
  return node ? node.outputTensors[0] : null;
}

/**
 * The base's output, or the map before the pooling layers at its end (VGG: block5_conv3, not
 * block5_pool; a custom base cut after its global pooling: the map before it).
 */
function camTarget(base: tf.LayersModel): tf.SymbolicTensor {
  let t = base.outputs[0];
  for (;;) {
    const layer = t.sourceLayer;
    const node = layer.inboundNodes.find((n) => n.outputTensors.some((o) => o.id === t.id));
    const before = node?.inputTensors[0];
    if (!POOLING.has(layer.getClassName()) || node?.inputTensors.length !== 1 || !before || before.shape.length !== 4) break;
    t = before;
  }
  if (t.shape.length !== 4)
    throw new AppError('UNSUPPORTED', `The conv base ${base.name} does not end in a feature map; Grad-CAM needs one.`);
  return t;
}

/** Name of the Dense softmax layer that makes `output` (looking into nested models), or null. */
function softmaxDense(output: tf.SymbolicTensor): string | null {
  const layer = output.sourceLayer;
  if (layer instanceof tf.LayersModel) return softmaxDense(layer.outputs[0]);
  const config = layer.getConfig() as { activation?: string };
  return layer.getClassName() === 'Dense' && config.activation === 'softmax' ? layer.name : null;
}

export interface CamResult {
  /** Class probabilities, the mean over the photo and its mirror image (as predictions are made). */
  probs: number[];
  predictedIndex: number;
  /** The class explained: the predicted one unless another was asked for. */
  classIndex: number;
  /** Raw Grad-CAM map, row-major, values ≥ 0, at the feature map's resolution. */
  cam: Float32Array;
  height: number;
  width: number;
}

/**
 * Grad-CAM of one photo already decoded and cropped to the model's input (RGB bytes,
 * inputSize² · 3, as loadImage returns them).
 */
export async function gradCam(m: CamModel, pixels: Uint8Array, classIndex?: number): Promise<CamResult> {
  if (classIndex !== undefined && (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= m.labels.length))
    throw new AppError('INVALID_REQUEST', `Class index ${classIndex} is out of range (the model has ${m.labels.length} classes).`);
  const x = imagesToTensor([pixels], m.inputSize);
  // The map is computed once and serves both the plain view's probabilities and the gradient.
  const { image, maps, probsT } = tf.tidy(() => {
    const image = preprocessImages(x, m.preprocessing);
    const maps = branchMaps(m, image);
    const plain = headFrom(m, image, maps, false);
    const mirrored = m.model.predict(preprocessImages(tf.reverse(x, 2) as tf.Tensor4D, m.preprocessing)) as tf.Tensor;
    return { image, maps, probsT: tf.div(tf.add(plain, mirrored), 2) };
  });
  x.dispose();
  try {
    const probs = Array.from(await probsT.data());
    const predictedIndex = probs.indexOf(Math.max(...probs));
    const chosen = classIndex ?? predictedIndex;
    const camT = tf.tidy(() => camTensor(m, image, maps, chosen));
    const [, height, width] = camT.shape;
    const cam = (await camT.data()) as Float32Array;
    camT.dispose();
    return { probs, predictedIndex, classIndex: chosen, cam, height, width };
  } finally {
    tf.dispose([image, ...maps, probsT]);
  }
}

/** The feature map of each branch: the photo's, then (multi-scale) each smaller scale's. */
function branchMaps(m: CamModel, image: tf.Tensor): tf.Tensor4D[] {
  const mapOf = (x: tf.Tensor) => runGraph(m.base, new Map([[m.base.inputs[0].id, x]]), m.target) as tf.Tensor4D;
  const resized = m.smaller.map((b) => runGraph(m.model, new Map([[m.model.inputs[0].id, image]]), b.baseInput));
  return [mapOf(image), ...resized.map(mapOf)];
}

/**
 * The classifier's output from the feature maps of its branches (see branchMaps): probabilities,
 * or (`scores`) the logits where there are.
 */
function headFrom(m: CamModel, image: tf.Tensor, maps: tf.Tensor[], scores: boolean): tf.Tensor {
  const outputs = [m.baseOutput, ...m.smaller.map((b) => b.baseOutput)];
  const feeds = new Map<number, tf.Tensor>([[m.model.inputs[0].id, image]]);
  outputs.forEach((o, i) => feeds.set(o.id, runGraph(m.base, new Map([[m.target.id, maps[i]]]), m.base.outputs[0])));
  const linearLayer = scores ? (m.logitsLayer ?? undefined) : undefined;
  return runGraph(m.model, feeds, m.model.outputs[0], { linearLayer });
}

/**
 * [1, h, w] Grad-CAM map of class `c` from the feature maps of one image (see branchMaps). The score is the
 * class's logit minus the mean logit: softmax ignores what all logits share, so training never
 * changes that part and it stays as random as the head's initial weights, and on a head for a
 * few classes trained on a few photos it painted background. Subtracting the mean drops it
 * (for two classes this is half the log-odds). Log-probabilities give the same score.
 */
function camTensor(m: CamModel, image: tf.Tensor, maps: tf.Tensor4D[], c: number): tf.Tensor3D {
  const score = (...a: tf.Tensor[]): tf.Scalar => {
    const out = headFrom(m, image, a, true);
    const scores = m.logitsLayer ? out : tf.log(tf.add(out, 1e-12));
    return tf.sub(tf.squeeze(tf.slice(scores, [0, c], [1, 1])), tf.mean(scores)) as tf.Scalar;
  };
  const grads = tf.grads(score)(maps);
  // Each branch's weighted map; a multi-scale classifier's smaller ones are resized onto the
  // photo's grid (pixel centres aligned, as the graph resized their input) and added before the ReLU.
  const [height, width] = maps[0].shape.slice(1, 3);
  const weighted = maps.map((a, i) => {
    const cam = tf.sum(tf.mul(a, tf.mean(grads[i], [1, 2], true)), 3, true) as tf.Tensor4D;
    return i === 0 ? cam : tf.image.resizeBilinear(cam, [height, width], false, true);
  });
  return tf.relu(tf.squeeze(tf.addN(weighted), [3])) as tf.Tensor3D;
}
