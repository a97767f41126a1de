/**
 * The main side of a run when the training process cannot even start: the run, already stored
 * as running, must end failed with a reason instead of staying 'running' forever.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/db/database';
import { getRun, insertRun } from '../../../src/main/db/training-repository';
import type { TrainingJobConfig } from '../../../src/main/engine/trainer/job-types';
import { EventBus } from '../../../src/main/services/event-bus';
import { TrainingRun } from '../../../src/main/services/training-run';

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
  it('marks the run failed, with the reason, when the training process cannot be started', async () => {
    const classes = [{ id: 1, name: 'ants' }, { id: 2, name: 'bees' }];
    const runId = insertRun(db, { config: {}, backboneId: 'vgg16', classes });
    const run = new TrainingRun({
      db,
      events: new EventBus(),
      runId,
      classes,
      config: {} as TrainingJobConfig,
      items: [],
      unlabeled: [],
      spawn: () => {
        throw new Error('spawn ENOENT');
      }
    });
    const finished = await run.done;
    expect(finished).toMatchObject({ runId, status: 'failed' });
    expect(finished.error).toMatch(/could not be started \(spawn ENOENT\)/);
    expect(getRun(db, runId)).toMatchObject({ status: 'failed' });
  });
});
