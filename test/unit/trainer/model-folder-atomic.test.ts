/**
 * Saving a model folder is all or nothing: files go into a temporary sibling that becomes the
 * run's model folder only once complete. A save that fails midway leaves neither a half-written
 * model folder nor the temporary one; a training process that dies mid-save leaves nothing once
 * the main side has seen it exit.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/db/database';
import { getRun, insertRun } from '../../../src/main/db/training-repository';
import { buildHead } from '../../../src/main/engine/trainer/head';
import type { TrainingJobConfig } from '../../../src/main/engine/trainer/job-types';
import { discardModelFolder, loadModelFolder, saveModelFolder, type ModelFolderInfo } from '../../../src/main/engine/trainer/model-folder';
import { EventBus } from '../../../src/main/services/event-bus';
import { TrainingRun } from '../../../src/main/services/training-run';
import { forkStrategy } from '../../../src/main/worker/launcher';

const info: ModelFolderInfo = {
  labels: ['a', 'b'],
  preprocessing: { mode: 'tf', inputSize: 96, resize: 'shorter-side-center-crop', channelOrder: 'RGB', backboneId: 'mobilenet_v2' }
};

let dir: string;
let models: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-model-atomic-'));
  models = path.join(dir, 'p.tstudio.models');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function smallHead(): tf.LayersModel {
  return buildHead({ kind: 'gap', featureShape: [2, 2, 4], numClasses: 2, seed: 1 });
}

describe('saveModelFolder', () => {
  it('leaves no model folder and no temporary folder when the save fails midway', async () => {
    const head = smallHead();
    // Labels are written after the weights and model.json: a value JSON cannot hold fails the
    // save halfway through, as a full disk or a crash would.
    const broken = { ...info, labels: [1n] as unknown as string[] };
    const runDir = path.join(models, 'run-1');
    await expect(saveModelFolder(head, runDir, broken)).rejects.toThrow(/BigInt/);
    head.dispose();
    expect(existsSync(runDir)).toBe(false);
    expect(readdirSync(models)).toEqual([]);
  });

  it('replaces an existing folder whole: no file of the old one is left beside the new model', async () => {
    const runDir = path.join(models, 'run-1');
    mkdirSync(runDir, { recursive: true });
    writeFileSync(path.join(runDir, 'stale.bin'), 'old');
    const head = smallHead();
    await saveModelFolder(head, runDir, info);
    head.dispose();
    expect(readdirSync(runDir).sort()).toEqual(['labels.json', 'model.json', 'preprocessing.json', 'weights.bin']);
    expect(readdirSync(models)).toEqual(['run-1']);
    const loaded = await loadModelFolder(runDir);
    expect(loaded.labels).toEqual(info.labels);
    loaded.model.dispose();
  });
});

describe('discardModelFolder', () => {
  it("removes a run's model folder and its temporary siblings, not another run's", () => {
    for (const name of ['run-1', '.run-1.partial-abc', '.run-1.partial-abc-old', 'run-10', '.run-10.partial-xyz']) {
      mkdirSync(path.join(models, name), { recursive: true });
      writeFileSync(path.join(models, name, 'weights.bin'), 'w');
    }
    discardModelFolder(path.join(models, 'run-1'));
    expect(readdirSync(models).sort()).toEqual(['.run-10.partial-xyz', 'run-10']);
  });
});

describe('a training process that dies while saving', () => {
  let db: Database;
  beforeEach(() => {
    db = openDatabase(path.join(dir, 'p.tstudio'));
  });
  afterEach(() => db.close());

  it('fails the run and leaves neither its model folder nor the temporary one', async () => {
    const classes = [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' }
    ];
    const runId = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes });
    const modelDir = path.join(models, `run-${runId}`);
    // What a process killed mid-save leaves behind: a temporary folder with some of the files.
    const entry = path.join(dir, 'dies-while-saving.mjs');
    const partial = path.join(models, `.run-${runId}.partial-k1ll3d`);
    writeFileSync(
      entry,
      `import fs from 'node:fs';\nfs.mkdirSync(${JSON.stringify(partial)}, { recursive: true });\nfs.writeFileSync(${JSON.stringify(path.join(partial, 'weights.bin'))}, 'half');\nprocess.exit(9);\n`
    );
    const config = { modelDir } as TrainingJobConfig;
    const run = new TrainingRun({
      db,
      events: new EventBus(),
      runId,
      classes,
      config,
      items: [],
      unlabeled: [],
      spawn: forkStrategy({ entry })
    });
    const finished = await run.done;
    expect(finished).toMatchObject({ runId, status: 'failed' });
    expect(getRun(db, runId)).toMatchObject({ status: 'failed', modelPath: null });
    expect(existsSync(modelDir)).toBe(false);
    expect(readdirSync(models)).toEqual([]);
  });
});
