/**
 * Predicting with a saved model folder (e.g. `predict --run N` or after classes were labeled
 * elsewhere): the whole classifier (base and head, frozen) runs as one forward pass — on ONNX
 * Runtime, exported once per model folder, else tfjs — with the preprocessing the folder names
 * and the photo's mirror image averaged in, while the next photos decode.
 */
import { AppError } from '../../../shared/errors';
import { hashWeights, initBackend, isPreprocessingId } from '../index';
import { decodeAheadFor, throughputBatchSize } from '../inference/batching';
import { decodeAhead } from '../inference/decode-ahead';
import type { ForwardSpec } from '../inference/forward-spec';
import { openFrozenForward } from '../inference/open-forward';
import { argmaxRows } from './evaluate';
import type { PredictionOut, TrainingProgressData, UnlabeledItem } from './job-types';
import { loadModelFolder } from './model-folder';
import { ProgressClock } from './progress-clock';
import path from 'node:path';

export interface PredictJob {
  modelDir: string;
  items: UnlabeledItem[];
  backend: 'auto' | 'wasm' | 'cpu';
  /** Folder for exported ONNX graphs, kept between re-predicts. */
  exportCacheDir?: string;
}

export interface PredictIO {
  onProgress(progress: TrainingProgressData): void;
  shouldStop(): boolean;
}

/** Null when cancelled. Photos that cannot be decoded are left out. */
export async function runPredictJob(job: PredictJob, io: PredictIO): Promise<{ predictions: PredictionOut[]; classes: string[] } | null> {
  const clock = new ProgressClock(io.onProgress);
  clock.start('loading', 1);
  await initBackend({ prefer: job.backend });
  const { model, labels, preprocessing } = await loadModelFolder(job.modelDir);
  try {
    const mode = preprocessing.mode;
    if (!isPreprocessingId(mode))
      throw new AppError('UNSUPPORTED', `Model ${job.modelDir} needs preprocessing "${mode}", which this app does not know.`);
    // Test-time flip, as in training's own predictions: the mean over the photo and its mirror image.
    const spec: ForwardSpec = { inputSize: preprocessing.inputSize, preprocessing: mode, views: 2, pool: 'none', merge: 'mean' };
    const cache = job.exportCacheDir
      ? {
          dir: job.exportCacheDir,
          label: `classifier-${preprocessing.backboneId}-${preprocessing.inputSize}`,
          parts: { model: await hashWeights(['model.json', 'weights.bin'].map((f) => path.join(job.modelDir, f))), ...spec }
        }
      : undefined;
    const forward = await openFrozenForward(model, spec, { cache });
    try {
      return await predictAll(job, forward, labels, clock, io, throughputBatchSize(model, 2));
    } finally {
      await forward.dispose();
    }
  } finally {
    model.dispose();
  }
}

async function predictAll(
  job: PredictJob,
  forward: Awaited<ReturnType<typeof openFrozenForward>>,
  labels: string[],
  clock: ProgressClock,
  io: PredictIO,
  batchSize: number
): Promise<{ predictions: PredictionOut[]; classes: string[] } | null> {
  clock.start('predicting', job.items.length);
  const predictions: PredictionOut[] = [];
  let done = 0;
  const k = labels.length;
  for await (const batch of decodeAhead(job.items, { inputSize: forward.spec.inputSize, batchSize, ahead: decodeAheadFor(batchSize) })) {
    if (io.shouldStop()) return null;
    const flat = await forward.run(batch.decoded.map((d) => d.pixels));
    argmaxRows(flat, k).forEach((best, i) => {
      predictions.push({
        photoId: batch.decoded[i].item.photoId,
        classIndex: best.index,
        confidence: best.value,
        probs: Array.from(flat.subarray(i * k, (i + 1) * k))
      });
    });
    done += batch.size;
    clock.countItems(batch.decoded.length);
    clock.report(done, job.items.length);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { predictions, classes: labels };
}
