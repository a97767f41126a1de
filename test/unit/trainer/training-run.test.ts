/**
 * The main side of a run when the training process cannot even start, or breaks the protocol:
 * the run, already stored as running, must end failed with a reason instead of staying
 * 'running' forever (or taking in what the process said).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/db/database';
import { getCachedFeatures } from '../../../src/main/db/training-feature-repository';
import { getRun, insertRun } from '../../../src/main/db/training-repository';
import type { TrainingJobConfig } from '../../../src/main/engine/trainer/job-types';
import { EventBus } from '../../../src/main/services/event-bus';
import { TrainingRun } from '../../../src/main/services/training-run';
import { forkStrategy, type SpawnStrategy, type WorkerPort } from '../../../src/main/worker/launcher';

let dir: string;
let db: Database;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-train-run-'));
  db = openDatabase(path.join(dir, 'p.tstudio'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TrainingRun', () => {
  /** A run with no photos whose training process comes from `spawn`. */
  function startRun(spawn: SpawnStrategy): { runId: number; run: TrainingRun } {
    const classes = [
      { id: 1, name: 'ants' },
      { id: 2, name: 'bees' }
    ];
    const runId = insertRun(db, { config: {}, backboneId: 'vgg16', classes });
    const run = new TrainingRun({
      db,
      events: new EventBus(),
      runId,
      classes,
      config: {} as TrainingJobConfig,
      items: [],
      unlabeled: [],
      spawn
    });
    return { runId, run };
  }

  it('marks the run failed, with the reason, when the training process cannot be started', async () => {
    const { runId, run } = startRun(() => {
      throw new Error('spawn ENOENT');
    });
    const finished = await run.done;
    expect(finished).toMatchObject({ runId, status: 'failed' });
    expect(finished.error).toMatch(/could not be started \(spawn ENOENT\)/);
    expect(getRun(db, runId)).toMatchObject({ status: 'failed' });
  });

  it('fails the run and kills the process when the process sends an invalid message', async () => {
    // A confused training process: features as plain arrays, not Float32Arrays; then it hangs on.
    const entry = path.join(dir, 'bad-worker.mjs');
    writeFileSync(
      entry,
      "process.send({ type: 'features', extractor: 'x', entries: [{ hash: 'a', data: [1, 2] }] }); setInterval(() => {}, 1000);\n"
    );
    const killed: string[] = [];
    const spawn = forkStrategy({ entry });
    const { runId, run } = startRun(() => {
      const port = spawn();
      return { ...port, kill: (signal) => (killed.push(signal ?? 'SIGTERM'), port.kill(signal)) } satisfies WorkerPort;
    });
    const finished = await run.done;
    expect(finished).toMatchObject({ runId, status: 'failed' });
    expect(finished.error).toMatch(/^The training process sent an invalid message: 'features': entries\.0\.data/);
    expect(getRun(db, runId)).toMatchObject({ status: 'failed', error: finished.error });
    expect(getCachedFeatures(db, 'x', ['a']).size).toBe(0);
    expect(killed).toEqual(['SIGKILL']);
  });
});
