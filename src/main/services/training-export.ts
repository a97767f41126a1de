/** Export of a run (model folder + predictions CSV) and re-predicting with a saved model. */
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PredictionProgress } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { predictionsForExport, replacePredictions } from '../db/training-prediction-repository';
import { listTrainingPhotos, type RunRecord } from '../db/training-repository';
import { launchTrainingWorker, type SpawnStrategy, type WorkerPort } from '../worker/launcher';
import type { TrainingProgressData } from '../engine/trainer/job-types';
import type { MainToWorker, PredictionOut } from '../worker/protocol';

function requireModel(run: RunRecord): string {
  if (!run.modelPath) throw new AppError('NOT_FOUND', `Run ${run.id} has no saved model (status ${run.status}).`);
  return run.modelPath;
}

/**
 * Writes `<outDir>/model/` (the TF.js folder with labels and preprocessing) and `<outDir>/predictions.csv`.
 * A folder that already holds something is written into only with `replace` (the person said so):
 * then those two are replaced and everything else there is left alone. Folders are made with the
 * permissions the user's umask gives, like any other program's (the run's own model folder is
 * private, and copying it as a whole would carry that over).
 */
export async function exportRun(
  db: Database,
  run: RunRecord,
  outDir: string,
  opts: { replace?: boolean } = {}
): Promise<{ modelDir: string; csvPath: string; predictions: number }> {
  const source = requireModel(run);
  const out = path.resolve(outDir);
  const modelDir = path.join(out, 'model');
  const csvPath = path.join(out, 'predictions.csv');
  await checkOutputFolder(out, run.id, opts.replace ?? false);
  const names = new Map(run.classes.map((c) => [c.id, c.name] as const));
  const rows = predictionsForExport(db, run.id);
  try {
    await rm(modelDir, { recursive: true, force: true });
    await mkdir(modelDir, { recursive: true });
    // Into the folder made above, so it keeps its umask permissions rather than the source's.
    await cp(source, modelDir, { recursive: true });
    const header = ['photo_id', 'path', 'predicted_class', 'confidence', ...run.classes.map((c) => `p_${c.name}`)];
    const lines = rows.map((r) =>
      [r.photoId, r.path, names.get(r.classId) ?? '', r.confidence.toFixed(6), ...r.probs.map((p) => p.toFixed(6))].map(csvCell).join(',')
    );
    await writeFile(csvPath, [header.map(csvCell).join(','), ...lines].join('\n') + '\n');
  } catch (err) {
    throw exportError(err, run.id, out);
  }
  return { modelDir, csvPath, predictions: rows.length };
}

/** Refuses a file, and a folder with something in it unless replacing was allowed. */
async function checkOutputFolder(out: string, runId: number, replace: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw exportError(err, runId, out);
  }
  if (entries.length === 0 || replace) return;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  throw new AppError(
    'CONFLICT',
    `The folder ${out} is not empty (${shown}). Choose an empty or new folder, or replace: that writes model/ and predictions.csv there and leaves everything else alone.`
  );
}

/** Turns a file-system failure into a message that says what to do, not Node's errno text. */
function exportError(err: unknown, runId: number, out: string): AppError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return new AppError(
      'INVALID_REQUEST',
      `Cannot export run ${runId} to ${out}: that path (or a folder above it) is a file, not a folder. Choose a folder.`
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AppError(
      'IO_ERROR',
      `Cannot export run ${runId} to ${out}: no permission to write there. Choose a folder you can write to.`
    );
  }
  if (code === 'ENOSPC') return new AppError('IO_ERROR', `Cannot export run ${runId} to ${out}: the disk is full.`);
  return new AppError('IO_ERROR', `Could not export run ${runId} to ${out}: ${(err as Error).message}`);
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** After asking the prediction process to stop, how long it gets before it is killed, ms. */
const CANCEL_GRACE_MS = 5000;

export interface PredictOptions {
  spawn?: SpawnStrategy;
  /** Aborting stops the process; the call then rejects with CANCELLED and nothing is written. */
  signal?: AbortSignal;
  /** Each progress report of the process, in order; none once a cancel was asked for. */
  onProgress?: (progress: Omit<PredictionProgress, 'runId'>) => void;
}

/**
 * Predicts every unlabeled photo with the run's saved model, in the training process, and
 * replaces the run's predictions only when every photo is through: a cancel or a failure leaves
 * the previous ones as they were.
 */
export async function predictWithRun(db: Database, run: RunRecord, opts: PredictOptions = {}): Promise<number> {
  const modelDir = requireModel(run);
  const items = listTrainingPhotos(db)
    .filter((p) => p.classId === null)
    .map((p) => ({ photoId: p.photoId, path: p.path, hash: p.hash }));
  const { onProgress } = opts;
  // The process reports loading as 0 of 1; the photos to come are known here already.
  const onWorkerProgress =
    onProgress &&
    ((p: TrainingProgressData) =>
      onProgress(
        p.phase === 'predicting'
          ? { phase: 'predicting', done: p.done, total: p.total, imagesPerSec: p.imagesPerSec, etaMs: p.etaMs }
          : { phase: 'loading', done: 0, total: items.length, imagesPerSec: null, etaMs: null }
      ));
  const predictions = await predictInProcess(
    { type: 'predict', modelDir, items, backend: 'auto' },
    { spawn: opts.spawn, signal: opts.signal, onWorkerProgress }
  );
  replacePredictions(
    db,
    run.id,
    predictions.map((p) => ({ photoId: p.photoId, classId: run.classes[p.classIndex].id, confidence: p.confidence, probs: p.probs }))
  );
  return predictions.length;
}

function cancelledError(): AppError {
  return new AppError('CANCELLED', 'Predicting was cancelled; the previous suggestions are unchanged.');
}

/**
 * One predict job in its own process; settles once, with the predictions or an AppError. After
 * a cancel it settles only when the process has exited (it is killed if it takes too long), so
 * the caller's one-process slot stays taken until the process is really gone.
 */
function predictInProcess(
  job: Extract<MainToWorker, { type: 'predict' }>,
  opts: Pick<PredictOptions, 'spawn' | 'signal'> & { onWorkerProgress?: (progress: TrainingProgressData) => void }
): Promise<PredictionOut[]> {
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(cancelledError());
  return new Promise<PredictionOut[]>((resolve, reject) => {
    let port: WorkerPort;
    try {
      port = launchTrainingWorker(opts.spawn);
    } catch (err) {
      reject(
        new AppError(
          'TRAINING_FAILED',
          `The prediction process could not be started (${(err as Error).message}). Check the installation, then predict again.`
        )
      );
      return;
    }
    let settled = false;
    let cancelRequested = false;
    let killTimer: NodeJS.Timeout | undefined;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      outcome();
    };
    function onAbort(): void {
      cancelRequested = true;
      port.send({ type: 'cancel' });
      killTimer = setTimeout(() => port.kill('SIGKILL'), CANCEL_GRACE_MS);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    port.onMessage(
      (msg) => {
        // Once cancelled, whatever the process still says is dropped, a late result included:
        // the person asked for the previous suggestions to stay.
        if (cancelRequested) return;
        if (msg.type === 'progress') opts.onWorkerProgress?.(msg.progress);
        else if (msg.type === 'predicted') settle(() => resolve(msg.predictions));
        else if (msg.type === 'error') settle(() => reject(new AppError(msg.code, msg.message)));
      },
      (problem) => {
        port.kill('SIGKILL');
        if (cancelRequested) return; // the exit settles it as cancelled
        settle(() =>
          reject(
            new AppError(
              'TRAINING_FAILED',
              `The prediction process sent an invalid message: ${problem}. Nothing was changed; predict again.`
            )
          )
        );
      }
    );
    port.onExit((exit) => {
      if (cancelRequested) return settle(() => reject(cancelledError()));
      settle(() =>
        reject(
          new AppError(
            'TRAINING_FAILED',
            `The prediction process ended early (${exit.signal ?? `code ${exit.code}`}). ${exit.stderrTail.slice(-300)}`
          )
        )
      );
    });
    port.send(job);
  });
}
