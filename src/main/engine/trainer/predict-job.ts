/**
 * Predicting with a saved model folder (e.g. `predict --run N` or after classes were labeled
 * elsewhere): decode each photo, apply the preprocessing the folder names, run the classifier.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { imagesToTensor, initBackend, isPreprocessingId, loadImage, preprocessImages } from '../index';
import { argmaxRows } from './evaluate';
import type { PredictionOut, TrainingProgressData, UnlabeledItem } from './job-types';
import { loadModelFolder } from './model-folder';
import { ProgressClock } from './progress-clock';

export interface PredictJob {
  modelDir: string;
  items: UnlabeledItem[];
  backend: 'auto' | 'wasm' | 'cpu';
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
    clock.start('predicting', job.items.length);
    const predictions: PredictionOut[] = [];
    for (let start = 0; start < job.items.length; start += 16) {
      if (io.shouldStop()) return null;
      const batch = await decode(job.items.slice(start, start + 16), preprocessing.inputSize);
      if (batch.length > 0) {
        const probs = tf.tidy(() => {
          const x = imagesToTensor(
            batch.map((b) => b.pixels),
            preprocessing.inputSize
          );
          // Test-time flip, as in training's own predictions.
          const plain = model.predict(preprocessImages(x, mode)) as tf.Tensor2D;
          const mirrored = model.predict(preprocessImages(tf.reverse(x, 2) as tf.Tensor4D, mode)) as tf.Tensor2D;
          return tf.div(tf.add(plain, mirrored), 2) as tf.Tensor2D;
        });
        const flat = (await probs.data()) as Float32Array;
        probs.dispose();
        argmaxRows(flat, labels.length).forEach((best, i) => {
          predictions.push({
            photoId: batch[i].photoId,
            classIndex: best.index,
            confidence: best.value,
            probs: Array.from(flat.subarray(i * labels.length, (i + 1) * labels.length))
          });
        });
      }
      clock.countItems(batch.length);
      clock.report(Math.min(start + 16, job.items.length), job.items.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { predictions, classes: labels };
  } finally {
    model.dispose();
  }
}

async function decode(items: UnlabeledItem[], size: number): Promise<{ photoId: number; pixels: Uint8Array }[]> {
  const out = await Promise.all(
    items.map(async (item) => {
      try {
        return { photoId: item.photoId, pixels: await loadImage(item.path, size) };
      } catch {
        return null;
      }
    })
  );
  return out.filter((x): x is { photoId: number; pixels: Uint8Array } => x !== null);
}
