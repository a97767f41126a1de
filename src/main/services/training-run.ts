/**
 * The main side of one training run: a WorkerJob (launch, checked messages, cancel, crash) that
 * answers the process's feature-cache questions and persists what it reports. The run ends in
 * exactly one of completed / cancelled / failed — also when the process crashes or is killed.
 */
import type { EpochMetrics, TrainingFinished } from '../../shared/dto';
import type { Database } from '../db/database';
import { explainStorageError } from '../db/storage-errors';
import { getCachedFeatures, putCachedFeatures } from '../db/training-feature-repository';
import { replacePredictions } from '../db/training-prediction-repository';
import { completeRun, finishRunUnsuccessfully, setRunBackend, setRunHistory } from '../db/training-repository';
import type { LabeledItem, TrainingJobConfig, TrainingJobResult, TrainingProgressData, UnlabeledItem } from '../engine/trainer/job-types';
import { discardModelFolder } from '../engine/trainer/model-folder-paths';
import type { SpawnStrategy } from '../worker/launcher';
import { WorkerJob, type JobOutcome, type SideMessage } from '../worker/worker-job';
import type { EventBus } from './event-bus';

export interface RunSpec {
  db: Database;
  events: EventBus;
  runId: number;
  /** Project classes in model output order. */
  classes: { id: number; name: string }[];
  config: TrainingJobConfig;
  items: LabeledItem[];
  unlabeled: UnlabeledItem[];
  spawn?: SpawnStrategy;
}

export class TrainingRun {
  readonly runId: number;
  /** Resolves once the run is persisted as finished and its process is gone (never rejects). */
  readonly done: Promise<TrainingFinished>;
  private readonly job: WorkerJob<TrainingFinished>;
  private readonly history: EpochMetrics[] = [];

  constructor(private readonly spec: RunSpec) {
    this.runId = spec.runId;
    const { config, items, unlabeled } = spec;
    this.job = new WorkerJob({
      name: 'training',
      retry: 'train again',
      request: { type: 'start', config, items, unlabeled },
      spawn: spec.spawn,
      onResult: (msg) => {
        if (msg.type !== 'result') throw new Error(`the training process answered '${msg.type}' to a training job`);
        return this.complete(msg.result);
      },
      onProgress: (progress) => this.onProgress(progress),
      onSideMessage: (msg) => this.onSideMessage(msg),
      onExit: (_exit, outcome) => this.onExit(outcome)
    });
    this.done = this.job.done.then((outcome) => this.announce(outcome));
  }

  get pid(): number | undefined {
    return this.job.pid;
  }

  /** Asks the process to stop between batches; kills it if it has not exited in time. */
  cancel(): void {
    this.job.cancel();
  }

  private onSideMessage(msg: SideMessage): void {
    const { db, runId } = this.spec;
    if (msg.type === 'loaded') setRunBackend(db, runId, msg.backend);
    else if (msg.type === 'features') putCachedFeatures(db, msg.extractor, msg.entries);
    else if (msg.type === 'need-features') {
      const cached = getCachedFeatures(db, msg.extractor, msg.hashes);
      this.job.send({ type: 'cached-features', entries: [...cached].map(([hash, data]) => ({ hash, data })) });
    }
  }

  private onProgress(progress: TrainingProgressData): void {
    const { db, runId } = this.spec;
    if (progress.epochMetrics) {
      this.history.push(progress.epochMetrics);
      setRunHistory(db, runId, this.history);
    }
    this.spec.events.emit('training:progress', { runId, ...progress });
  }

  private complete(result: TrainingJobResult): TrainingFinished {
    try {
      return this.store(result);
    } catch (err) {
      // A damaged or read-only project is said as such: training again would fail the same way.
      throw explainStorageError(err, this.spec.db.name, this.spec.db);
    }
  }

  private store(result: TrainingJobResult): TrainingFinished {
    const { db, runId, classes } = this.spec;
    const bad = result.predictions.find((p) => !Number.isInteger(p.classIndex) || classes[p.classIndex] === undefined);
    if (bad || result.classes.length !== classes.length) {
      throw new Error(
        `the training process reported ${result.classes.length} classes and class index ${bad?.classIndex ?? '-'} for ${classes.length} classes`
      );
    }
    db.transaction(() => {
      completeRun(db, {
        runId,
        backend: result.backend,
        timings: result.timings,
        metrics: {
          accuracy: result.evaluation.accuracy,
          perClass: result.evaluation.perClass,
          confusion: result.evaluation.confusion,
          bestEpoch: result.bestEpoch,
          featuresComputed: result.features.computed,
          featuresCached: result.features.cached,
          failedPhotos: result.features.failed,
          peakRss: result.peakRss,
          choices: result.choices,
          inference: result.inference
        },
        history: this.history,
        examples: result.evaluation.examples,
        modelPath: result.modelDir
      });
      replacePredictions(
        db,
        runId,
        result.predictions.map((p) => ({ photoId: p.photoId, classId: classes[p.classIndex].id, confidence: p.confidence, probs: p.probs }))
      );
    })();
    return { runId, status: 'completed', valAccuracy: result.evaluation.accuracy, error: null };
  }

  /**
   * Only once the process is gone is nothing writing any more: a run that did not complete
   * leaves no model folder, nor the temporary one of a save the process was killed in.
   */
  private onExit(outcome: JobOutcome<TrainingFinished>): void {
    if (outcome.status === 'completed' || !this.spec.config.modelDir) return;
    try {
      discardModelFolder(this.spec.config.modelDir);
    } catch {
      // Best effort: a leftover folder is never registered as a model, so it is only clutter.
    }
  }

  /** Persists an unsuccessful end (a completed one is stored with its result) and tells every listener. */
  private announce(outcome: JobOutcome<TrainingFinished>): TrainingFinished {
    const finished: TrainingFinished =
      outcome.status === 'completed'
        ? outcome.value
        : { runId: this.runId, status: outcome.status, valAccuracy: null, error: outcome.status === 'failed' ? outcome.message : null };
    if (finished.status !== 'completed') {
      try {
        finishRunUnsuccessfully(this.spec.db, this.runId, finished.status, finished.error);
      } catch {
        // The project may have been closed meanwhile; its next open settles the run (see run-owner.ts).
      }
    }
    this.spec.events.emit('training:finished', finished);
    return finished;
  }
}
