/**
 * Stage 2 of a run: decode the labeled photos once, run the frozen layers below the top block
 * on ONNX Runtime for every augmented view (LowerMaps), then train the top block and the head
 * in tfjs on those maps (fineTuneTopBlock).
 */
import { openBackboneForward } from '../inference/backbone-forward';
import { throughputBatchSize } from '../inference/batching';
import type { FrozenForward } from '../inference/forward-spec';
import { freezeBase, unfreezeTopBlock } from './classifier';
import { fineTuneTopBlock } from './fine-tune';
import { LowerMaps } from './lower-maps';
import type * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../backbone';
import { decodeAhead } from '../inference/decode-ahead';
import type { LabeledItem, TrainingJob } from './job-types';
import type { ProgressClock } from './progress-clock';
import type { Rng } from './rng';
import { classWeightsFor } from './split';
import { splitAtTopBlock, type TopBlockSplit } from './top-block';
import type { TrainResult } from './train-head';

/** What stage 2 reads from (and marks on) a run's state. */
export interface FineTuneState {
  job: TrainingJob;
  backbone: Backbone;
  head: tf.Sequential;
  rng: Rng;
  train: LabeledItem[];
  val: LabeledItem[];
  /** Set once the top block starts to change: cached features no longer describe the model. */
  fineTuned: boolean;
}

interface StopIO {
  shouldStop(): boolean;
}

const CANCELLED: TrainResult = { history: [], bestEpoch: 0, stoppedEarly: false, cancelled: true };

/**
 * Stage 2 keeps every activation of a batch for the gradient, so its memory grows with
 * batch × side²; the batch shrinks above 224 px to hold that at what 32 photos at 224 px need
 * (at 320 px, 32 photos overflowed the WebAssembly heap).
 */
export function fineTuneBatchSize(batchSize: number, inputSize: number): number {
  return Math.max(4, Math.min(batchSize, Math.floor(batchSize * (224 / inputSize) ** 2)));
}

export async function fineTuneStage(state: FineTuneState, clock: ProgressClock, io: StopIO): Promise<TrainResult> {
  const all = [...state.train, ...state.val];
  clock.start('fine-tuning', all.length, { note: 'decoding photos for fine-tuning' });
  const images = await decodeAll(state.backbone.inputSize, all, clock, io);
  if (images === null) return CANCELLED;
  const split = splitAtTopBlock(state.backbone);
  try {
    // Open for all of stage 2: over the memory budget, maps are computed batch by batch.
    const forward = await openBackboneForward(state.backbone, 'maps', { cacheDir: state.job.config.exportCacheDir, model: split.lower });
    try {
      const maps = await lowerMaps(state, split, forward, images, clock, io);
      if (maps === null) return CANCELLED;
      return await trainTopBlock(state, split, maps, clock, io);
    } finally {
      await forward.dispose();
    }
  } finally {
    split.dispose();
  }
}

/** Every labeled photo at the input size (each decoded in the feature stage before, so none fails). */
async function decodeAll(size: number, items: readonly LabeledItem[], clock: ProgressClock, io: StopIO): Promise<Uint8Array[] | null> {
  const out: Uint8Array[] = [];
  for await (const batch of decodeAhead(items, { inputSize: size, batchSize: 8 })) {
    if (io.shouldStop()) return null;
    if (batch.failed.length > 0) throw new Error(batch.failed[0].reason);
    out.push(...batch.decoded.map((d) => d.pixels));
    clock.report(out.length, items.length);
  }
  return out;
}

async function lowerMaps(
  state: FineTuneState,
  split: TopBlockSplit,
  forward: FrozenForward,
  images: Uint8Array[],
  clock: ProgressClock,
  io: StopIO
): Promise<LowerMaps | null> {
  const { config } = state.job;
  const views = Math.max(1, config.fineTuneEpochs);
  const total = state.train.length * views + state.val.length;
  clock.start('fine-tuning', total, { note: `layers below the top block (${split.cutLayer}) on ${forward.info.label}: ${total} views` });
  return LowerMaps.build({
    forward,
    pixels: images,
    trainCount: state.train.length,
    views,
    seed: config.seed,
    batchSize: throughputBatchSize(split.lower, 1),
    onProgress: (done, all) => clock.report(done, all),
    shouldStop: io.shouldStop
  });
}

async function trainTopBlock(
  state: FineTuneState,
  split: TopBlockSplit,
  maps: LowerMaps,
  clock: ProgressClock,
  io: StopIO
): Promise<TrainResult> {
  const { config } = state.job;
  const trainLabels = state.train.map((i) => i.classIndex);
  const batchSize = fineTuneBatchSize(config.batchSize, config.inputSize);
  const batches = Math.ceil(trainLabels.length / batchSize);
  const total = batches * config.fineTuneEpochs;
  const unfrozen = unfreezeTopBlock(state.backbone);
  state.fineTuned = true;
  try {
    return await fineTuneTopBlock({
      split,
      maps,
      head: state.head,
      trainLabels,
      valLabels: state.val.map((i) => i.classIndex),
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
        const kept = maps.kept ? 'kept' : 'computed per batch';
        const note = `fine-tuning ${unfrozen.length} layers on ${split.cutLayer} maps (${kept}): about ${Math.round(ms / 1000)} s at ${rate.toFixed(1)} images/s`;
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
  }
}
