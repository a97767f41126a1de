/**
 * Which running runs count as orphaned (their owner gone) and get failed, on real project files:
 * an owner on this host whose process exited, this very process with a run it is not running,
 * a stale heartbeat, a run without an owner (from before owners); and which are left alone: a
 * live process's run, another host's run with a fresh heartbeat, this process's own run. Also
 * the 0004 migration: completed runs lose the error text an earlier bug left on them.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/db/database';
import { initialMigration } from '../../../src/main/db/migrations/0001-initial';
import { trainingMigration } from '../../../src/main/db/migrations/0002-training';
import { predictionRejectionsMigration } from '../../../src/main/db/migrations/0003-prediction-rejections';
import { insertOwnedRun, touchRunOwner, type RunOwner } from '../../../src/main/db/run-owner-repository';
import { completeRun, finishRunUnsuccessfully, getRun, insertRun } from '../../../src/main/db/training-repository';
import { failOrphanedRuns, INTERRUPTED, keepOwning, STALE_HEARTBEAT_MS, thisProcess } from '../../../src/main/services/run-owner';
import { tempDir } from './helpers';

let tmp: ReturnType<typeof tempDir>;
let db: Database;
const PROJECT = '/projects/p.tstudio';
const run = { config: {}, backboneId: 'vgg16', classes: [{ id: 1, name: 'a' }] };

beforeEach(() => {
  tmp = tempDir();
  db = openDatabase(tmp.file('p.tstudio'));
});
afterEach(() => {
  db.close();
  tmp.remove();
});

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid as number;
}

function status(runId: number): { status: string; error: string | null } {
  const r = getRun(db, runId);
  return { status: r?.status ?? '?', error: r?.error ?? null };
}

describe('orphaned runs', () => {
  it('fails the run of a process on this host that has exited, and only that one', () => {
    const host = os.hostname();
    const dead = insertOwnedRun(db, run, { pid: deadPid(), host });
    // The test runner's parent is alive for as long as this test runs.
    const alive = insertOwnedRun(db, run, { pid: process.ppid, host });
    expect(failOrphanedRuns(db, PROJECT)).toEqual([dead]);
    expect(status(dead)).toEqual({ status: 'failed', error: INTERRUPTED });
    expect(status(alive)).toEqual({ status: 'running', error: null });
  });

  it("leaves another host's run alone while its heartbeat is fresh, and fails it once the heartbeat is stale", () => {
    const other: RunOwner = { pid: process.pid, host: `not-${os.hostname()}` };
    const now = Date.now();
    const runId = insertOwnedRun(db, run, other, now);
    expect(failOrphanedRuns(db, PROJECT, now + STALE_HEARTBEAT_MS - 1000)).toEqual([]);
    expect(touchRunOwner(db, runId, now + 1000)).toBe(true);
    expect(failOrphanedRuns(db, PROJECT, now + 1000 + STALE_HEARTBEAT_MS + 1)).toEqual([runId]);
    expect(touchRunOwner(db, runId)).toBe(false);
  });

  it('fails a live pid whose heartbeat stopped long ago (the pid now belongs to another program)', () => {
    const now = Date.now();
    const runId = insertOwnedRun(db, run, { pid: process.ppid, host: os.hostname() }, now);
    expect(failOrphanedRuns(db, PROJECT, now + STALE_HEARTBEAT_MS + 1)).toEqual([runId]);
  });

  it("this process's run counts as alive only while this process is running it", async () => {
    const mine = insertOwnedRun(db, run, thisProcess());
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    keepOwning(db, PROJECT, mine, done);
    expect(failOrphanedRuns(db, PROJECT)).toEqual([]);
    // The same process with the same run id in another project file is not running that one.
    expect(failOrphanedRuns(db, '/projects/other.tstudio')).toEqual([mine]);
    const lost = insertOwnedRun(db, run, thisProcess());
    finish();
    await done;
    expect(failOrphanedRuns(db, PROJECT)).toEqual([lost]);
  });

  it('fails a running run without an owner (left by a version before owners)', () => {
    const legacy = insertRun(db, run);
    expect(failOrphanedRuns(db, PROJECT)).toEqual([legacy]);
  });

  it('a run that completes has no error text, whatever was stored before', () => {
    const runId = insertOwnedRun(db, run, thisProcess());
    db.prepare("UPDATE training_runs SET error = 'stale' WHERE id = ?").run(runId);
    completeRun(db, { runId, backend: 'wasm', timings: {}, metrics: {}, history: [], examples: [], modelPath: '/m' });
    expect(status(runId)).toEqual({ status: 'completed', error: null });
  });
});

describe('migration 0004', () => {
  it('adds the owner columns and clears the error text of completed runs', () => {
    const file = tmp.file('v3.tstudio');
    const v3 = openDatabase(file, { migrations: [initialMigration, trainingMigration, predictionRejectionsMigration] });
    const completed = insertRun(v3, run);
    completeRun(v3, { runId: completed, backend: 'wasm', timings: {}, metrics: {}, history: [], examples: [], modelPath: '/m' });
    v3.prepare("UPDATE training_runs SET error = 'Interrupted: the app closed during training.' WHERE id = ?").run(completed);
    const failed = insertRun(v3, run);
    finishRunUnsuccessfully(v3, failed, 'failed', 'out of memory');
    v3.close();
    const db4 = openDatabase(file);
    try {
      expect(getRun(db4, completed)).toMatchObject({ status: 'completed', error: null });
      expect(getRun(db4, failed)).toMatchObject({ status: 'failed', error: 'out of memory' });
      expect(db4.prepare('SELECT owner_pid, owner_host, owner_heartbeat FROM training_runs WHERE id = ?').get(failed)).toEqual({
        owner_pid: null,
        owner_host: null,
        owner_heartbeat: null
      });
    } finally {
      db4.close();
    }
  });
});
