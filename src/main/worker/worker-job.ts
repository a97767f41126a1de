/**
 * One job in its own training process, from the main side. Every job (a training run, a
 * re-predict, the backend probe, a weights check) goes through this one class, so each ends the
 * same way:
 *
 * - launched through the spawn strategy; a process that cannot start fails the job at once;
 * - every message is checked against the protocol: an invalid one kills the process and fails
 *   the job, and nothing the process said before its outcome is taken as a result;
 * - the first outcome wins (the result, an error the process reports, a cancel, or its death);
 *   after that every message is stale and dropped;
 * - cancel asks the process to stop between batches, and kills it if it has not exited after a
 *   grace period; once cancel was asked, progress and any late result or error are dropped (the
 *   person asked for the project to stay as it was), but questions the process asks on its way
 *   out are still answered;
 * - an exit or crash without an outcome fails the job with the last lines of its stderr;
 * - `done` resolves once the process is really gone (one that lingers after its outcome is
 *   killed), so whoever holds the one training-process slot frees it only then.
 */
import type { ErrorCode } from '../../shared/errors';
import { AppError } from '../../shared/errors';
import type { TrainingProgressData } from '../engine/trainer/job-types';
import { launchTrainingWorker, type SpawnStrategy, type WorkerExit, type WorkerPort } from './launcher';
import type { MainToWorker, WorkerJobRequest, WorkerToMain } from './protocol';

/** After asking the process to stop (or after its outcome), how long it gets before it is killed, ms. */
export const CANCEL_GRACE_MS = 5000;

export type JobOutcome<T> =
  { status: 'completed'; value: T } | { status: 'cancelled' } | { status: 'failed'; code: ErrorCode; message: string };

/** The messages that carry a job's result. */
export type ResultMessage = Extract<
  WorkerToMain,
  { type: 'result' | 'predicted' | 'probed' | 'validated' | 'identified' | 'layers' | 'filters-done' }
>;
/** Messages a job exchanges on the way (backend loaded, feature cache questions and answers, filter images). */
export type SideMessage = Extract<
  WorkerToMain,
  { type: 'loaded' | 'need-features' | 'features' | 'filter-image' | 'filter-progress' | 'explain-answer' | 'explain-refused' }
>;

export interface WorkerJobSpec<T> {
  /** The process as messages name it: 'training', 'prediction', 'backend probe', 'weights check'. */
  name: string;
  /** What the person does after a failure, e.g. 'train again'. */
  retry: string;
  request: WorkerJobRequest;
  spawn?: SpawnStrategy;
  /** Code of the failures the job itself words (no start, invalid message, crash). */
  failureCode?: ErrorCode;
  /** Turns the result message into the job's value; a throw (e.g. recording it failed) fails the job. */
  onResult(msg: ResultMessage): T;
  onProgress?(progress: TrainingProgressData): void;
  onSideMessage?(msg: SideMessage): void;
  /** Once the process is gone, with how the job ended (clean-up of what it left behind). */
  onExit?(exit: WorkerExit | null, outcome: JobOutcome<T>): void;
  graceMs?: number;
}

const NO_PORT: WorkerPort = {
  pid: undefined,
  send: () => undefined,
  onMessage: () => undefined,
  onExit: () => undefined,
  kill: () => undefined
};

export class WorkerJob<T> {
  /** Resolves (never rejects) with the outcome once the process has exited. */
  readonly done: Promise<JobOutcome<T>>;
  private readonly port: WorkerPort;
  private outcome: JobOutcome<T> | null = null;
  private cancelRequested = false;
  private killTimer: NodeJS.Timeout | undefined;
  private resolveDone!: (outcome: JobOutcome<T>) => void;

  constructor(private readonly spec: WorkerJobSpec<T>) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.port = this.launch();
  }

  get pid(): number | undefined {
    return this.port.pid;
  }

  /** True once cancel was asked and the job has no other outcome yet. */
  get cancelling(): boolean {
    return this.cancelRequested && this.outcome === null;
  }

  /** Answers the process (e.g. cached features); dropped once the job has its outcome. */
  send(msg: MainToWorker): void {
    if (this.outcome === null) this.port.send(msg);
  }

  /** Asks the process to stop; false when the job already had its outcome (or a cancel). */
  cancel(): boolean {
    if (this.outcome !== null || this.cancelRequested) return false;
    this.cancelRequested = true;
    this.port.send({ type: 'cancel' });
    this.killAfterGrace();
    return true;
  }

  private launch(): WorkerPort {
    const { spec } = this;
    let port: WorkerPort;
    try {
      port = launchTrainingWorker(spec.spawn);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.decide(this.failure(`The ${spec.name} process could not be started (${reason}). Check the installation, then ${spec.retry}.`));
      this.finish(null);
      return NO_PORT;
    }
    port.onMessage(
      (msg) => this.onMessage(msg),
      (problem) => this.onInvalid(problem)
    );
    port.onExit((exit) => this.finish(exit));
    port.send(spec.request);
    return port;
  }

  private onMessage(msg: WorkerToMain): void {
    if (this.outcome !== null) return;
    switch (msg.type) {
      case 'loaded':
      case 'need-features':
      case 'features':
      case 'filter-image':
      case 'filter-progress':
      case 'explain-answer':
      case 'explain-refused':
        return this.guard(() => this.spec.onSideMessage?.(msg));
      case 'progress':
        if (!this.cancelRequested) this.guard(() => this.spec.onProgress?.(msg.progress));
        return;
      case 'error':
        if (!this.cancelRequested) this.settleSoon({ status: 'failed', code: msg.code, message: msg.message });
        return;
      case 'cancelled':
        // The exit that follows settles it; a process that said it stopped is still taken at its word.
        if (!this.cancelRequested) this.settleSoon({ status: 'cancelled' });
        return;
      default:
        if (!this.cancelRequested) this.guard(() => this.settleSoon({ status: 'completed', value: this.spec.onResult(msg) }));
    }
  }

  /** Runs a handler of the job; if it throws, what the process reported could not be kept. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (err) {
      // An AppError already says what happened and what to do (e.g. a damaged or read-only project).
      if (err instanceof AppError) this.decide(this.failure(err.message));
      else {
        const reason = err instanceof Error ? err.message : String(err);
        const retry = this.spec.retry.charAt(0).toUpperCase() + this.spec.retry.slice(1);
        this.decide(
          this.failure(`Could not record what the ${this.spec.name} process reported (${reason}); nothing from it was kept. ${retry}.`)
        );
      }
      this.port.kill('SIGKILL');
    }
  }

  /** The process broke the protocol: nothing more it says can be trusted. */
  private onInvalid(problem: string): void {
    if (this.outcome === null && !this.cancelRequested) {
      this.decide(
        this.failure(`The ${this.spec.name} process sent an invalid message: ${problem}. Nothing from it was kept; ${this.spec.retry}.`)
      );
    }
    this.port.kill('SIGKILL');
  }

  private failure(message: string): JobOutcome<T> {
    return { status: 'failed', code: this.spec.failureCode ?? 'TRAINING_FAILED', message };
  }

  /** The outcome is known; the process should now exit on its own, or is killed after the grace period. */
  private settleSoon(outcome: JobOutcome<T>): void {
    this.decide(outcome);
    this.killAfterGrace();
  }

  private decide(outcome: JobOutcome<T>): void {
    this.outcome ??= outcome;
  }

  private killAfterGrace(): void {
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => this.port.kill('SIGKILL'), this.spec.graceMs ?? CANCEL_GRACE_MS);
  }

  private finish(exit: WorkerExit | null): void {
    clearTimeout(this.killTimer);
    if (exit !== null) this.decide(this.cancelRequested ? { status: 'cancelled' } : this.crashed(exit));
    const outcome = this.outcome as JobOutcome<T>;
    try {
      this.spec.onExit?.(exit, outcome);
    } finally {
      this.resolveDone(outcome);
    }
  }

  private crashed(exit: WorkerExit): JobOutcome<T> {
    const how = exit.reason
      ? `ended (${exit.reason}${exit.code === null ? '' : `, code ${exit.code}`})`
      : exit.signal
        ? `was killed (${exit.signal})`
        : `exited with code ${exit.code}`;
    const detail = exit.stderrTail.trim().split('\n').slice(-3).join(' ').slice(-500);
    return this.failure(`The ${this.spec.name} process ${how} before finishing.${detail ? ` ${detail}` : ''}`);
  }
}

/** Runs a job to its end: its value, or an AppError (CANCELLED for a cancelled one). */
export async function runWorkerJob<T>(spec: WorkerJobSpec<T>): Promise<T> {
  const outcome = await new WorkerJob(spec).done;
  if (outcome.status === 'completed') return outcome.value;
  if (outcome.status === 'cancelled') throw new AppError('CANCELLED', `The ${spec.name} was cancelled.`);
  throw new AppError(outcome.code, outcome.message);
}
