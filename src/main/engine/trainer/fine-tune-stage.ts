/** Stage 2: unfreezes the base's top block and trains it with the head on decoded photos. */
import * as tf from '@tensorflow/tfjs';
import { buildClassifier, freezeBase, unfreezeTopBlock } from './classifier';
import { fineTuneTopBlock } from './fine-tune';
import type { TrainingJobIO } from './job-io';
import { imagesTensor, loadImages } from './photo-batches';
import type { ProgressClock } from './progress-clock';
import { classWeightsFor } from './split';
import type { TrainedState } from './trained-state';
import type { TrainResult } from './train-head';

export async function fineTuneStage(state: TrainedState, clock: ProgressClock, io: TrainingJobIO): Promise<TrainResult> {
  const { config } = state.job;
  const all = [...state.train, ...state.val];
  clock.start('fine-tuning', all.length, { note: 'decoding photos for fine-tuning' });
  const images = await loadImages(
    state.backbone,
    all.map((i) => i.path),
    (done) => clock.report(done, all.length),
    io.shouldStop
  );
  if (images === null) return { history: [], bestEpoch: 0, stoppedEarly: false, cancelled: true };
  const xTrain = imagesTensor(state.backbone, images.slice(0, state.train.length));
  const xVal = imagesTensor(state.backbone, images.slice(state.train.length));
  const trainLabels = state.train.map((i) => i.classIndex);
  const batchSize = fineTuneBatchSize(config.batchSize, config.inputSize);
  const batches = Math.ceil(trainLabels.length / batchSize);
  const total = batches * config.fineTuneEpochs;
  try {
    const unfrozen = unfreezeTopBlock(state.backbone);
    state.classifier = buildClassifier(state.backbone, state.head, config.head);
    state.fineTuned = true;
    return await fineTuneTopBlock({
      backbone: state.backbone,
      head: state.head,
      classifier: state.classifier,
      train: { x: xTrain, y: trainLabels },
      val: state.val.length > 0 ? { x: xVal, y: state.val.map((i) => i.classIndex) } : null,
      numClasses: config.classes.length,
      epochs: config.fineTuneEpochs,
      batchSize,
      learningRate: config.learningRate / config.fineTuneLrDivisor,
      patience: 2,
      classWeights: classWeightsFor(trainLabels, config.classes.length),
      rng: state.rng,
      pool: config.head === 'gap',
      shouldStop: io.shouldStop,
      onEstimate: (ms, rate) => {
        const note = `fine-tuning ${unfrozen.length} layers: about ${Math.round(ms / 1000)} s at ${rate.toFixed(1)} images/s`;
        clock.start('fine-tuning', total, { epoch: 1, epochs: config.fineTuneEpochs, note });
      },
      onBatch: (b) => {
        clock.countItems(b.size);
        clock.report((b.epoch - 1) * batches + b.batch, total, {
          epoch: b.epoch,
          epochs: config.fineTuneEpochs,
          batchLoss: b.loss,
          batchAcc: b.acc
        });
      },
      onEpoch: (e) =>
        clock.report(e.epoch * batches, total, {
          epoch: e.epoch,
          epochs: config.fineTuneEpochs,
          epochMetrics: { stage: 'fine-tune', ...e }
        })
    });
  } finally {
    freezeBase(state.backbone);
    tf.dispose([xTrain, xVal]);
  }
}

/**
 * Stage 2 keeps every activation of a batch for the gradient, so its memory grows with
 * batch × side²; the batch shrinks above 224 px to hold that at what 32 photos at 224 px need
 * (at 320 px, 32 photos overflowed the WebAssembly heap).
 */
export function fineTuneBatchSize(batchSize: number, inputSize: number): number {
  return Math.max(4, Math.min(batchSize, Math.floor(batchSize * (224 / inputSize) ** 2)));
}
