/**
 * Every running run has an owner, the process that trains it: its pid and host, and a
 * heartbeat it writes while the run lasts. A process that opens the project fails only runs
 * whose owner is gone — a CLI command must never fail the run the app is training beside it.
 *
 * An owner is gone when
 * - it is this very process and the run is not one it is running (a run it lost track of);
 * - it ran on this host and its pid no longer exists;
 * - its heartbeat stopped long ago: an owner on another host (a project on a shared drive)
 *   can only be judged by it, and on this host it catches a pid reused by another program.
 * Runs from before owners were recorded have none and count as gone, as they always did.
 */
import os from 'node:os';
import type { Database } from '../db/database';
import { failRunsOfDeadOwners, runningRuns, touchRunOwner, type OwnedRun, type RunOwner } from '../db/run-owner-repository';

/** How often an owner writes its heartbeat, ms. */
export const HEARTBEAT_MS = 5_000;
/** A heartbeat older than this means the owner stopped, ms (generous: a sleeping laptop wakes up late). */
export const STALE_HEARTBEAT_MS = 120_000;
export const INTERRUPTED = 'Interrupted: the process that was training it ended before the run finished.';

/** The runs this process is training, by project file. */
const ownRuns = new Map<string, Set<number>>();

export function thisProcess(): RunOwner {
  return { pid: process.pid, host: os.hostname() };
}

/**
 * Marks the run as this process's while `done` is pending, writing the heartbeat meanwhile.
 * The heartbeat timer never keeps the process alive on its own.
 */
export function keepOwning(db: Database, projectPath: string, runId: number, done: Promise<unknown>): void {
  const runs = ownRuns.get(projectPath) ?? new Set<number>();
  ownRuns.set(projectPath, runs.add(runId));
  const timer = setInterval(() => {
    try {
      touchRunOwner(db, runId);
    } catch {
      // The project was closed (or is busy for longer than the timeout); the next beat tries again.
    }
  }, HEARTBEAT_MS);
  timer.unref();
  void done.finally(() => {
    clearInterval(timer);
    runs.delete(runId);
  });
}

/** True when the run's owner may still be training it. */
export function ownerAlive(run: OwnedRun, projectPath: string, now = Date.now()): boolean {
  if (run.pid === null || run.host === null) return false;
  const self = thisProcess();
  if (run.host === self.host && run.pid === self.pid) return ownRuns.get(projectPath)?.has(run.runId) ?? false;
  const beating = run.heartbeat !== null && now - run.heartbeat < STALE_HEARTBEAT_MS;
  if (run.host === self.host) return pidExists(run.pid) && beating;
  return beating;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Fails the running runs whose owner is gone; returns their ids. */
export function failOrphanedRuns(db: Database, projectPath: string, now = Date.now()): number[] {
  const dead = runningRuns(db).filter((run) => !ownerAlive(run, projectPath, now));
  return dead.length === 0 ? [] : failRunsOfDeadOwners(db, dead, INTERRUPTED, now);
}
