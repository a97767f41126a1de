/**
 * Gradient ascent on the input image to maximise one filter's mean activation (Keras,
 * "Visualizing what convnets learn"), for a batch of filters of one layer at once: each image
 * of the batch climbs its own filter. The image lives in RGB 0–255 and the backbone's
 * preprocessing runs inside the objective, so steps, jitter, blur and clipping are in pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { preprocessImages } from '../preprocessing';
import { createRng } from '../trainer/rng';
import { withCachedFilterTransforms } from '../wasm-input-grads';
import type { FilterModel } from './filter-model';
import { runGraph } from './graph-run';
import { gaussianBlur, roll } from './image-ops';
import type { FoundLayer } from './layers';
import type { FilterSettings } from './settings';

export { DEFAULT_FILTER_SETTINGS, type FilterSettings } from './settings';

/** Start image: mid-grey with ±this much uniform noise, in pixel levels. */
const START_NOISE = 20;

export interface AscentResult {
  /** Mean activation of each filter on its start image and on its final image (see {@link objective}). */
  activationStart: number[];
  activationEnd: number[];
  /** Final images, RGB 0–255 float, [N, S, S, 3]. The caller disposes. */
  images: tf.Tensor4D;
}

export interface AscentHooks {
  /** After each step (1-based). */
  onStep?(step: number): void;
  /** Polled before each step; true stops and returns null. */
  shouldStop?(): boolean;
}

/**
 * Cells dropped at each edge of the feature map before averaging, as the article does: padding
 * makes border units easy to excite with edge artefacts. None on maps smaller than 12 cells.
 */
export function borderCells(height: number, width: number): number {
  return Math.floor(Math.min(height, width) / 12);
}

/**
 * Per image b: the mean over the feature map's interior of channel filters[b]. This is the
 * quantity the ascent maximises and that activationStart/activationEnd report.
 */
export function objective(model: FilterModel, target: FoundLayer, images: tf.Tensor4D, filters: number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const [h, w, channels] = target.shape;
    const b = borderCells(h, w);
    const input = preprocessImages(images, model.preprocessing);
    const maps = runGraph(target.owner, new Map([[target.owner.inputs[0].id, input]]), target.output) as tf.Tensor4D;
    const mask = tf.oneHot(tf.tensor1d(filters, 'int32'), channels).reshape([filters.length, 1, 1, channels]);
    const selected = tf.sum(tf.mul(maps, mask), 3);
    const interior = tf.slice(selected, [0, b, b], [-1, h - 2 * b, w - 2 * b]);
    return tf.mean(interior, [1, 2]) as tf.Tensor1D;
  });
}

/** Grey noise images, each seeded by (seed, filter) so a filter's result does not depend on its batch. */
function startImages(filters: number[], size: number, seed: number): tf.Tensor4D {
  return tf.tidy(() =>
    tf.concat(
      filters.map((f) => tf.randomUniform([1, size, size, 3], 128 - START_NOISE, 128 + START_NOISE, 'float32', seed * 100_003 + f)),
      0
    )
  ) as tf.Tensor4D;
}

/** Null when stopped. The same filters serve every step, so their gradient transforms are kept meanwhile. */
export function ascend(
  model: FilterModel,
  target: FoundLayer,
  filters: number[],
  settings: FilterSettings,
  hooks: AscentHooks = {}
): Promise<AscentResult | null> {
  return withCachedFilterTransforms(() => climb(model, target, filters, settings, hooks));
}

async function climb(
  model: FilterModel,
  target: FoundLayer,
  filters: number[],
  settings: FilterSettings,
  hooks: AscentHooks
): Promise<AscentResult | null> {
  let image = startImages(filters, model.inputSize, settings.seed);
  const start = objective(model, target, image, filters);
  const activationStart = Array.from(await start.data());
  start.dispose();
  // One jitter sequence for every batch: it depends on the seed only, never on the filters.
  const rng = createRng(settings.seed);
  const grad = tf.grad((x: tf.Tensor) => tf.sum(objective(model, target, x as tf.Tensor4D, filters)));
  for (let step = 1; step <= settings.steps; step++) {
    if (hooks.shouldStop?.()) {
      image.dispose();
      return null;
    }
    const dy = jitterShift(rng, settings.jitter);
    const dx = jitterShift(rng, settings.jitter);
    const next = tf.tidy(() => {
      const g = gaussianBlur(roll(grad(roll(image, dy, dx)) as tf.Tensor4D, -dy, -dx), settings.blurSigma);
      const rms = tf.sqrt(tf.mean(tf.square(g), [1, 2, 3], true));
      return tf.clipByValue(tf.add(image, tf.mul(tf.div(g, tf.add(rms, 1e-8)), settings.stepSize)), 0, 255) as tf.Tensor4D;
    });
    image.dispose();
    image = next;
    // Lets the training process hear a cancel between steps.
    await new Promise((resolve) => setImmediate(resolve));
    hooks.onStep?.(step);
  }
  const end = objective(model, target, image, filters);
  const activationEnd = Array.from(await end.data());
  end.dispose();
  return { activationStart, activationEnd, images: image };
}

function jitterShift(rng: ReturnType<typeof createRng>, jitter: number): number {
  return jitter > 0 ? rng.int(2 * jitter + 1) - jitter : 0;
}
