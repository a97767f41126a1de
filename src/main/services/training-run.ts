/**
 * The main side of one training run: starts the training process, answers its feature-cache
 * questions, persists what it reports, and makes sure the run ends in exactly one of
 * completed / cancelled / failed — also when the process crashes or is killed.
 */
import type { EpochMetrics, RunStatus, TrainingFinished } from '../../shared/dto';
import type { Database } from '../db/database';
import { getCachedFeatures, putCachedFeatures } from '../db/training-feature-repository';
import { replacePredictions } from '../db/training-prediction-repository';
import { completeRun, finishRunUnsuccessfully, setRunBackend, setRunHistory } from '../db/training-repository';
import type { LabeledItem, TrainingJobConfig, TrainingJobResult, UnlabeledItem } from '../engine/trainer/job-types';
import { discardModelFolder } from '../engine/trainer/model-folder';
import { launchTrainingWorker, type SpawnStrategy, type WorkerExit, type WorkerPort } from '../worker/launcher';
import type { WorkerToMain } from '../worker/protocol';
import type { EventBus } from './event-bus';

/** After asking the process to stop, how long it gets before it is killed, ms. */
const CANCEL_GRACE_MS = 5000;

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
  /** Resolves once the run is persisted as finished (never rejects). */
  readonly done: Promise<TrainingFinished>;
  private readonly port: WorkerPort;
  private readonly history: EpochMetrics[] = [];
  private finished: TrainingFinished | null = null;
  private cancelRequested = false;
  private resolveDone!: (f: TrainingFinished) => void;

  constructor(private readonly spec: RunSpec) {
    this.runId = spec.runId;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.port = this.launch();
  }

  /** Starts the process; if it cannot start, the run (already stored as running) is marked failed. */
  private launch(): WorkerPort {
    const { spec } = this;
    try {
      const port = launchTrainingWorker(spec.spawn);
      port.onMessage(
        (msg) => this.onMessage(msg),
        (problem) => this.onInvalidMessage(problem)
      );
      port.onExit((exit) => this.onExit(exit));
      port.send({ type: 'start', config: spec.config, items: spec.items, unlabeled: spec.unlabeled });
      return port;
    } catch (err) {
      this.finish(
        'failed',
        `The training process could not be started (${(err as Error).message}). Check the installation, then train again.`
      );
      return { pid: undefined, send: () => undefined, onMessage: () => undefined, onExit: () => undefined, kill: () => undefined };
    }
  }

  get pid(): number | undefined {
    return this.port.pid;
  }

  /** Asks the process to stop between batches; kills it if it has not exited in time. */
  cancel(): void {
    if (this.finished || this.cancelRequested) return;
    this.cancelRequested = true;
    this.port.send({ type: 'cancel' });
    const timer = setTimeout(() => this.port.kill('SIGKILL'), CANCEL_GRACE_MS);
    void this.done.then(() => clearTimeout(timer));
  }

  /** The process broke the protocol: nothing more it says can be trusted, so the run ends here. */
  private onInvalidMessage(problem: string): void {
    if (this.finished) return;
    this.finish('failed', `The training process sent an invalid message: ${problem}. Nothing from the run was kept; train again.`);
    this.port.kill('SIGKILL');
  }

  private onMessage(msg: WorkerToMain): void {
    const { db, runId } = this.spec;
    if (this.finished) return;
    try {
      switch (msg.type) {
        case 'loaded':
          return setRunBackend(db, runId, msg.backend);
        case 'need-features':
          return this.port.send({
            type: 'cached-features',
            entries: [...getCachedFeatures(db, msg.extractor, msg.hashes)].map(([hash, data]) => ({ hash, data }))
          });
        case 'features':
          return putCachedFeatures(db, msg.extractor, msg.entries);
        case 'progress':
          if (msg.progress.epochMetrics) {
            this.history.push(msg.progress.epochMetrics);
            setRunHistory(db, runId, this.history);
          }
          return this.spec.events.emit('training:progress', { runId, ...msg.progress });
        case 'result':
          return this.complete(msg.result);
        case 'cancelled':
          return this.finish('cancelled', null);
        case 'error':
          return this.finish('failed', msg.message);
        default:
          return;
      }
    } catch (err) {
      this.finish('failed', `Could not record the run's result (${(err as Error).message}); nothing from it was kept. Train again.`);
      this.port.kill('SIGKILL');
    }
  }

  private complete(result: TrainingJobResult): void {
    const { db, runId, classes } = this.spec;
    if (this.finished) return;
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
    this.settle({ runId, status: 'completed', valAccuracy: result.evaluation.accuracy, error: null });
  }

  private finish(status: Exclude<RunStatus, 'running' | 'completed'>, error: string | null): void {
    if (this.finished) return;
    try {
      finishRunUnsuccessfully(this.spec.db, this.runId, status, error);
    } catch {
      // The project may have been closed meanwhile; on reopen the run is marked failed.
    }
    this.settle({ runId: this.runId, status, valAccuracy: null, error });
  }

  private onExit(exit: WorkerExit): void {
    // Only now is nothing writing any more: a run that did not complete leaves no model folder,
    // nor the temporary one of a save the process was killed in.
    if (this.finished?.status !== 'completed' && this.spec.config.modelDir) this.discardModel();
    if (this.finished) return;
    if (this.cancelRequested) return this.finish('cancelled', null);
    const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
    const detail = exit.stderrTail.trim().split('\n').slice(-3).join(' ').slice(-500);
    this.finish('failed', `The training process ${how} before finishing.${detail ? ` ${detail}` : ''}`);
  }

  private discardModel(): void {
    try {
      discardModelFolder(this.spec.config.modelDir);
    } catch {
      // Best effort: a leftover folder is never registered as a model, so it is only clutter.
    }
  }

  private settle(finished: TrainingFinished): void {
    if (this.finished) return;
    this.finished = finished;
    this.spec.events.emit('training:finished', finished);
    this.resolveDone(finished);
  }
}
