/**
 * Who is training a running run: the owner's process id and host, and its last heartbeat.
 * Whether an owner is still alive is decided by services/run-owner.ts; this file only stores.
 */
import type { Database } from './database';
import { insertRun } from './training-repository';

export interface RunOwner {
  pid: number;
  host: string;
}

/** A running run and its owner as stored; pid and host are null for runs from before owners. */
export interface OwnedRun {
  runId: number;
  pid: number | null;
  host: string | null;
  /** Epoch ms of the owner's last heartbeat, or null. */
  heartbeat: number | null;
}

/** Inserts a running run already owned by `owner`: no other process ever sees it without one. */
export function insertOwnedRun(db: Database, run: Parameters<typeof insertRun>[1], owner: RunOwner, now = Date.now()): number {
  return db
    .transaction(() => {
      const runId = insertRun(db, run, now);
      db.prepare('UPDATE training_runs SET owner_pid = ?, owner_host = ?, owner_heartbeat = ? WHERE id = ?').run(
        owner.pid,
        owner.host,
        now,
        runId
      );
      return runId;
    })
    .immediate();
}

/** The owner says it is still training; false once the run is no longer running. */
export function touchRunOwner(db: Database, runId: number, now = Date.now()): boolean {
  return db.prepare("UPDATE training_runs SET owner_heartbeat = ? WHERE id = ? AND status = 'running'").run(now, runId).changes > 0;
}

export function runningRuns(db: Database): OwnedRun[] {
  return db
    .prepare(
      "SELECT id AS runId, owner_pid AS pid, owner_host AS host, owner_heartbeat AS heartbeat FROM training_runs WHERE status = 'running'"
    )
    .all() as OwnedRun[];
}

/**
 * Marks these runs failed, each only if it is still running with the heartbeat it was judged
 * by (an owner that beat meanwhile is alive after all). Returns the runs changed.
 */
export function failRunsOfDeadOwners(db: Database, dead: readonly OwnedRun[], reason: string, now = Date.now()): number[] {
  const fail = db.prepare(
    "UPDATE training_runs SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running' AND owner_heartbeat IS ?"
  );
  return db
    .transaction(() => dead.filter((run) => fail.run(reason, now, run.runId, run.heartbeat).changes > 0).map((run) => run.runId))
    .immediate();
}
