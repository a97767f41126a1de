/**
 * Turns "done i of N in phase P" into full progress reports: elapsed time since the run began,
 * rate and ETA within the phase. Per-batch reports are throttled so a fast head epoch does not
 * flood IPC; reports that end an epoch or a phase always go out.
 */
import type { EpochMetrics, TrainingPhase } from '../../../shared/dto';
import type { TrainingProgressData } from './job-types';

export interface ProgressExtras {
  epoch?: number | null;
  epochs?: number | null;
  batchLoss?: number | null;
  batchAcc?: number | null;
  epochMetrics?: EpochMetrics | null;
  note?: string | null;
  /** Items per unit of `done` (e.g. images per batch) for the rate; default 1. */
  itemsPerUnit?: number;
  /** Send even if a report went out very recently. */
  force?: boolean;
}

export class ProgressClock {
  private readonly runStart = performance.now();
  private phaseStart = this.runStart;
  private current: TrainingPhase = 'loading';
  private lastSent = 0;
  private items = 0;

  constructor(
    private readonly emit: (p: TrainingProgressData) => void,
    private readonly minIntervalMs = 200
  ) {}

  /** Starts a phase and reports it at once. */
  start(phase: TrainingPhase, total: number, extras: ProgressExtras = {}): void {
    this.current = phase;
    this.phaseStart = performance.now();
    this.items = 0;
    this.report(0, total, { ...extras, force: true });
  }

  /** Adds to the item count behind images/s (images decoded, feature rows trained on). */
  countItems(n: number): void {
    this.items += n;
  }

  report(done: number, total: number, extras: ProgressExtras = {}): void {
    const now = performance.now();
    if (!extras.force && !extras.epochMetrics && done < total && now - this.lastSent < this.minIntervalMs) return;
    this.lastSent = now;
    const phaseMs = now - this.phaseStart;
    const rate = phaseMs > 0 && this.items > 0 ? (this.items * 1000) / phaseMs : null;
    this.emit({
      phase: this.current,
      done,
      total,
      epoch: extras.epoch ?? null,
      epochs: extras.epochs ?? null,
      batchLoss: extras.batchLoss ?? null,
      batchAcc: extras.batchAcc ?? null,
      epochMetrics: extras.epochMetrics ?? null,
      imagesPerSec: rate,
      elapsedMs: Math.round(now - this.runStart),
      etaMs: done > 0 && total > done ? Math.round((phaseMs / done) * (total - done)) : done >= total ? 0 : null,
      note: extras.note ?? null
    });
  }

  /** Seconds since the run started. */
  elapsedSeconds(): number {
    return (performance.now() - this.runStart) / 1000;
  }
}
