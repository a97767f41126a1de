/**
 * Which network a weights file is for, as identify-weights.ts tells it in the training process.
 * Compute-free, so the main side (weights-check.ts, training-plan.ts) can name the shape.
 */
import { AppError } from '../../shared/errors';

export interface WeightsIdentity {
  /** Backbone id to load them with: vgg16, vgg19, mobilenet_v2_035, mobilenet_v2_100, or mobilenet_v2 (another width). */
  backboneId: string;
  /** For people, e.g. "VGG19" or "MobileNetV2 (width 0.35)". */
  network: string;
}

/** A weights folder that holds no model: the same words wherever it is found (plan, check, load). */
export function folderWithoutModelJson(abs: string): AppError {
  return new AppError(
    'WEIGHTS_INVALID',
    `The weights folder ${abs} has no model.json. Choose a TF.js layers-model folder (model.json with its weight files) or a Keras .h5 weights file.`
  );
}
