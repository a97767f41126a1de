/**
 * Exporting a run never overwrites a folder that holds something unless the person allows it,
 * and what it creates has the permissions the user's umask gives (not the owner-only 0700 of the
 * run's private model folder). The run is a real completed run record of a real project whose
 * model folder is made the way a training run makes it (a private temporary folder).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/db/database';
import { completeRun, insertRun } from '../../../src/main/db/training-repository';
import { createTestProject, type TestProject } from './fixtures';

let t: TestProject;
let runId: number;

/** A completed run of the test project whose model folder is private, as mkdtemp makes it. */
function completedRun(): number {
  const modelDir = mkdtempSync(path.join(t.dir, 'run-model-'));
  writeFileSync(path.join(modelDir, 'model.json'), '{"format":"layers-model"}');
  writeFileSync(path.join(modelDir, 'labels.json'), '["ants","bees"]');
  const db = openDatabase(path.join(t.dir, 'project.tstudio'));
  try {
    const classes = [
      { id: 1, name: 'ants' },
      { id: 2, name: 'bees' }
    ];
    const id = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes });
    completeRun(db, { runId: id, backend: 'wasm', timings: {}, metrics: {}, history: [], examples: [], modelPath: modelDir });
    return id;
  } finally {
    db.close();
  }
}

/** Mode bits a folder gets here when a program makes it plainly (the umask applied). */
function plainFolderMode(): number {
  const probe = path.join(t.dir, 'probe-folder');
  mkdirSync(probe);
  return statSync(probe).mode & 0o777;
}

beforeEach(() => {
  t = createTestProject();
  runId = completedRun();
});
afterEach(() => t.cleanup());

describe('export', () => {
  it('writes into a new folder with the permissions the umask gives, not 0700', async () => {
    const out = path.join(t.dir, 'exports', 'bees');
    const result = await t.api.invoke('training:export', { runId, outDir: out });
    expect(result.modelDir).toBe(path.join(out, 'model'));
    expect(JSON.parse(readFileSync(path.join(out, 'model', 'labels.json'), 'utf8'))).toEqual(['ants', 'bees']);
    const plain = plainFolderMode();
    expect(statSync(path.join(out, 'model')).mode & 0o777).toBe(plain);
    expect(statSync(out).mode & 0o777).toBe(plain);
  });

  it('refuses a folder that is not empty and leaves it as it was', async () => {
    const out = path.join(t.dir, 'my-stuff');
    mkdirSync(path.join(out, 'model'), { recursive: true });
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    writeFileSync(path.join(out, 'model', 'mine.txt'), 'mine');
    await expect(t.api.invoke('training:export', { runId, outDir: out })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('is not empty')
    });
    expect(readFileSync(path.join(out, 'model', 'mine.txt'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(out, 'predictions.csv'))).toBe(false);
  });

  it('with replace, replaces model/ and predictions.csv there and leaves everything else alone', async () => {
    const out = path.join(t.dir, 'my-stuff');
    mkdirSync(path.join(out, 'model'), { recursive: true });
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    writeFileSync(path.join(out, 'model', 'old.bin'), 'old');
    await t.api.invoke('training:export', { runId, outDir: out, replace: true });
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(existsSync(path.join(out, 'model', 'old.bin'))).toBe(false);
    expect(existsSync(path.join(out, 'model', 'model.json'))).toBe(true);
    expect(existsSync(path.join(out, 'predictions.csv'))).toBe(true);
  });

  it('an empty existing folder is fine, and a file is refused as not a folder', async () => {
    const empty = path.join(t.dir, 'empty');
    mkdirSync(empty);
    await t.api.invoke('training:export', { runId, outDir: empty });
    const file = path.join(t.dir, 'a-file');
    writeFileSync(file, 'x');
    await expect(t.api.invoke('training:export', { runId, outDir: file, replace: true })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('is a file')
    });
  });
});
