/** Stage 1: the new head trained on the frozen base's features. */
import * as tf from '@tensorflow/tfjs';
import { stackFeatures } from './feature-rows';
import type { TrainingJobIO } from './job-io';
import type { LabeledItem } from './job-types';
import type { ProgressClock } from './progress-clock';
import { classWeightsFor } from './split';
import type { TrainedState } from './trained-state';
import { trainHead, type LabeledTensor, type TrainResult } from './train-head';

/** Training rows; with two views (photo + mirror image) both go in, which doubles the set. */
export function headTrainingData(
  train: LabeledItem[],
  features: Map<string, Float32Array>,
  shape: number[],
  twoViews: boolean
): LabeledTensor {
  const rows = train.map((i) => features.get(i.hash) as Float32Array);
  const labels = train.map((i) => i.classIndex);
  if (!twoViews) return { x: stackFeatures(rows, shape), y: labels };
  const x = tf.tidy(() => tf.concat([stackFeatures(rows, shape, 0), stackFeatures(rows, shape, 1)]));
  return { x, y: [...labels, ...labels] };
}

export async function headStage(
  state: TrainedState,
  trainData: LabeledTensor,
  clock: ProgressClock,
  io: TrainingJobIO
): Promise<TrainResult> {
  const { config } = state.job;
  const trainLabels = trainData.y;
  const batches = Math.ceil(trainLabels.length / config.batchSize);
  clock.start('training', batches * config.epochs, { epoch: 1, epochs: config.epochs });
  return trainHead({
    head: state.head,
    train: trainData,
    val: state.val.length > 0 ? { x: state.xVal, y: state.val.map((i) => i.classIndex) } : null,
    numClasses: config.classes.length,
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    patience: config.patience,
    classWeights: classWeightsFor(trainLabels, config.classes.length),
    rng: state.rng,
    shouldStop: io.shouldStop,
    onBatch: (b) => {
      clock.countItems(b.size);
      clock.report((b.epoch - 1) * batches + b.batch, batches * config.epochs, {
        epoch: b.epoch,
        epochs: config.epochs,
        batchLoss: b.loss,
        batchAcc: b.acc
      });
    },
    onEpoch: (e) => {
      const epochMetrics = { stage: 'head' as const, ...e };
      clock.report(e.epoch * batches, batches * config.epochs, { epoch: e.epoch, epochs: config.epochs, epochMetrics });
    }
  });
}
