/**
 * Stage 2 of a run: decode the labeled photos once, run the frozen layers below the top block
 * on ONNX Runtime for every augmented view (LowerMaps), then train the top block and the head
 * in tfjs on those maps (fineTuneTopBlock). The split, the lower part's forward pass and the
 * maps are prepared once (FineTuneInputs) and shared with the check whether fine-tuning pays
 * (fine-tune-check.ts), which also needs a plain map of every training photo to score folds on.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Backbone } from '../backbone';
import { openBackboneForward } from '../inference/backbone-forward';
import { throughputBatchSize } from '../inference/batching';
import { decodeAhead } from '../inference/decode-ahead';
import type { FrozenForward } from '../inference/forward-spec';
import { freezeBase, unfreezeTopBlock } from './classifier';
import { fineTuneTopBlock } from './fine-tune';
import type { LabeledItem, TrainingJob } from './job-types';
import { LowerMaps } from './lower-maps';
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

/** The backbone split at its top block and the lower part's forward pass, before any photo is decoded. */
export interface FineTuneModel {
  split: TopBlockSplit;
  forward: FrozenForward;
  dispose(): Promise<void>;
}

/**
 * The maps stage 2 trains on: training photos (maps index i, one augmented view per epoch),
 * validation photos (n + j, plain) and, for the check, each training photo again plain (n + m + i).
 */
export interface FineTuneInputs extends FineTuneModel {
  maps: LowerMaps;
  /** Maps index of training photo i's plain map; null when not computed. */
  plainIndex: ((trainIndex: number) => number) | null;
}

export async function openFineTuneModel(state: FineTuneState): Promise<FineTuneModel> {
  const split = splitAtTopBlock(state.backbone);
  try {
    // Open for all of stage 2: over the memory budget, maps are computed batch by batch.
    const forward = await openBackboneForward(state.backbone, 'maps', { cacheDir: state.job.config.exportCacheDir, model: split.lower });
    return {
      split,
      forward,
      dispose: async () => {
        await forward.dispose();
        split.dispose();
      }
    };
  } catch (err) {
    split.dispose();
    throw err;
  }
}

/** Decodes the labeled photos and computes the lower part's maps; null when stopped. Takes over `model` (disposed when stopped). */
export async function prepareFineTune(
  state: FineTuneState,
  model: FineTuneModel,
  clock: ProgressClock,
  io: StopIO,
  opts: { plainTrainMaps: boolean }
): Promise<FineTuneInputs | null> {
  const all = [...state.train, ...state.val];
  clock.start('fine-tuning', all.length, { note: 'decoding photos for fine-tuning' });
  const images = await decodeAll(state.backbone.inputSize, all, clock, io);
  const maps =
    images &&
    (await lowerMaps(state, model, opts.plainTrainMaps ? [...images, ...images.slice(0, state.train.length)] : images, clock, io));
  if (!maps) {
    await model.dispose();
    return null;
  }
  const extra = state.train.length + state.val.length;
  return { ...model, maps, plainIndex: opts.plainTrainMaps ? (i) => extra + i : null };
}

/** Trains the top block and the head; prepares its own inputs unless given them (the caller then disposes them). */
export async function fineTuneStage(state: FineTuneState, clock: ProgressClock, io: StopIO, given?: FineTuneInputs): Promise<TrainResult> {
  const inputs = given ?? (await prepareFineTune(state, await openFineTuneModel(state), clock, io, { plainTrainMaps: false }));
  if (inputs === null) return CANCELLED;
  try {
    return await trainTopBlock(state, inputs, clock, io);
  } finally {
    if (!given) await inputs.dispose();
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

/** Views per training photo: one per epoch. */
export function fineTuneViews(state: Pick<FineTuneState, 'job'>): number {
  return Math.max(1, state.job.config.fineTuneEpochs);
}

async function lowerMaps(
  state: FineTuneState,
  model: FineTuneModel,
  images: Uint8Array[],
  clock: ProgressClock,
  io: StopIO
): Promise<LowerMaps | null> {
  const { config } = state.job;
  const views = fineTuneViews(state);
  const total = state.train.length * views + images.length - state.train.length;
  clock.start('fine-tuning', total, {
    note: `layers below the top block (${model.split.cutLayer}) on ${model.forward.info.label}: ${total} views`
  });
  return LowerMaps.build({
    forward: model.forward,
    pixels: images,
    trainCount: state.train.length,
    views,
    seed: config.seed,
    batchSize: throughputBatchSize(model.split.lower, 1),
    onProgress: (done, all) => clock.report(done, all),
    shouldStop: io.shouldStop
  });
}

async function trainTopBlock(state: FineTuneState, inputs: FineTuneInputs, clock: ProgressClock, io: StopIO): Promise<TrainResult> {
  const { config } = state.job;
  const { split, maps } = inputs;
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
