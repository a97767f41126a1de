/**
 * Import progress for the terminal: JSON lines on stdout with --json, otherwise a progress bar
 * on stderr (stdout stays clean for the summary).
 */
import cliProgress from 'cli-progress';
import type { ImportProgress } from '../../shared/dto';
import { writeJsonLine } from './context';

export interface ProgressReporter {
  update(progress: ImportProgress): void;
  stop(): void;
}

/** JSON progress lines are throttled to this interval (ms) per phase; first and last always go. */
const JSON_INTERVAL_MS = 100;

export function jsonProgressReporter(): ProgressReporter {
  let lastPhase = '';
  let lastAt = 0;
  return {
    update(progress) {
      const now = Date.now();
      const boundary = progress.phase !== lastPhase || progress.done === 0 || progress.done >= progress.total;
      if (!boundary && now - lastAt < JSON_INTERVAL_MS) return;
      lastPhase = progress.phase;
      lastAt = now;
      writeJsonLine({ type: 'progress', ...progress });
    },
    stop() {}
  };
}

export function barProgressReporter(): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {value}/{total} · {rate}/s',
      hideCursor: true,
      clearOnComplete: false
    },
    cliProgress.Presets.shades_classic
  );
  let phase: string | null = null;
  return {
    update(progress) {
      const payload = { phase: progress.phase.padEnd(10), rate: progress.rate.toFixed(1) };
      if (progress.phase !== phase) {
        if (phase !== null) bar.stop();
        phase = progress.phase;
        bar.start(progress.total, progress.done, payload);
        return;
      }
      bar.setTotal(progress.total);
      bar.update(progress.done, payload);
    },
    stop() {
      if (phase !== null) bar.stop();
    }
  };
}
