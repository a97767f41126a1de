/** What the stages after the feature stage share: the job, its model parts and its data. */
import type * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../backbone';
import type { LabeledItem, TrainingJob } from './job-types';
import type { Rng } from './rng';

export interface TrainedState {
  job: TrainingJob;
  /** The backbone at the classifier's input size (the largest scale). */
  backbone: Backbone;
  /** Px, ascending: sizes whose features the head sees side by side (multi-scale.ts); one entry: the backbone's size. */
  scales: number[];
  head: tf.Sequential;
  /** Base + head as one model; built for stage 2 or for saving. */
  classifier: tf.LayersModel | null;
  /** True once the base's top block changed: cached features no longer describe the model. */
  fineTuned: boolean;
  rng: Rng;
  train: LabeledItem[];
  val: LabeledItem[];
  features: Map<string, Float32Array>;
  /** Validation features [N, ...shape]. */
  xVal: tf.Tensor;
}
