/**
 * Re-predicting with a saved model: every unlabeled photo through the run's model, in the
 * training process, as a WorkerJob. The run's predictions are replaced only when every photo is
 * through: a cancel or a failure leaves the previous ones as they were.
 */
import type { PredictionProgress } from '../../shared/dto';
import type { Database } from '../db/database';
import { replacePredictions } from '../db/training-prediction-repository';
import { listTrainingPhotos, type RunRecord } from '../db/training-repository';
import type { TrainingProgressData } from '../engine/trainer/job-types';
import type { SpawnStrategy } from '../worker/launcher';
import type { PredictionOut } from '../worker/protocol';
import { WorkerJob } from '../worker/worker-job';
import { requireModel } from './training-export';
import { backendPreference } from './training-plan';

export interface PredictOptions {
  /** Folder for exported ONNX graphs, kept between re-predicts. */
  exportCacheDir?: string;
  spawn?: SpawnStrategy;
  /** Each progress report of the process, in order; none once a cancel was asked for. */
  onProgress?: (progress: Omit<PredictionProgress, 'runId'>) => void;
}

/** Starts the re-predict; its value is the number of photos that got a prediction. Throws NOT_FOUND for a run without a model. */
export function startPredict(db: Database, run: RunRecord, opts: PredictOptions = {}): WorkerJob<number> {
  const modelDir = requireModel(run);
  const items = listTrainingPhotos(db)
    .filter((p) => p.classId === null)
    .map((p) => ({ photoId: p.photoId, path: p.path, hash: p.hash }));
  const { onProgress } = opts;
  return new WorkerJob<number>({
    name: 'prediction',
    retry: 'predict again',
    request: { type: 'predict', modelDir, items, backend: backendPreference(), exportCacheDir: opts.exportCacheDir },
    spawn: opts.spawn,
    onProgress: onProgress && ((p) => onProgress(predictionProgress(p, items.length))),
    onResult: (msg) => {
      if (msg.type !== 'predicted') throw new Error(`the prediction process answered '${msg.type}' to a prediction job`);
      storePredictions(db, run, msg.predictions);
      return msg.predictions.length;
    }
  });
}

/** The process reports loading as 0 of 1; the photos to come are known here already. */
function predictionProgress(p: TrainingProgressData, photos: number): Omit<PredictionProgress, 'runId'> {
  return p.phase === 'predicting'
    ? { phase: 'predicting', done: p.done, total: p.total, imagesPerSec: p.imagesPerSec, etaMs: p.etaMs }
    : { phase: 'loading', done: 0, total: photos, imagesPerSec: null, etaMs: null };
}

function storePredictions(db: Database, run: RunRecord, predictions: PredictionOut[]): void {
  const bad = predictions.find((p) => run.classes[p.classIndex] === undefined);
  if (bad) throw new Error(`class index ${bad.classIndex} for a model of ${run.classes.length} classes`);
  replacePredictions(
    db,
    run.id,
    predictions.map((p) => ({ photoId: p.photoId, classId: run.classes[p.classIndex].id, confidence: p.confidence, probs: p.probs }))
  );
}
