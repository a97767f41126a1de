import type { ImportProgress, ProgressPhase } from '../../shared/dto';

/** At most this many progress events per second per phase, plus the final one. */
const MIN_INTERVAL_MS = 100;

/** Counts one phase of long work and emits throttled progress events. */
export class ProgressReporter {
  private done = 0;
  private lastEmit = 0;
  private readonly started = performance.now();

  constructor(
    private readonly phase: ProgressPhase,
    private total: number,
    private readonly emit: (p: ImportProgress) => void
  ) {}

  /** One item finished (or, in the scan phase, one more file found). */
  tick(currentPath: string, grewTotal = false): void {
    this.done++;
    if (grewTotal) this.total = Math.max(this.total, this.done);
    const now = performance.now();
    if (now - this.lastEmit >= MIN_INTERVAL_MS) {
      this.lastEmit = now;
      this.emit(this.snapshot(currentPath, now));
    }
  }

  /** Always emitted, so listeners see every phase reach done === total. */
  finish(currentPath = ''): void {
    this.total = Math.max(this.total, this.done);
    this.emit(this.snapshot(currentPath, performance.now()));
  }

  private snapshot(currentPath: string, now: number): ImportProgress {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round((this.done / seconds) * 10) / 10 : 0;
    return { phase: this.phase, done: this.done, total: this.total, currentPath, rate };
  }
}
