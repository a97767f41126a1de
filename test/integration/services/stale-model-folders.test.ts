/**
 * Opening a project removes the temporary model folders a crash left in `<project>.models/`
 * (`.run-<id>.partial-*`, which a model save renames into place once complete) and nothing else:
 * not run folders, not files or links named like them, not folders anywhere else. Real project
 * files opened the way the app, serve mode and the CLI open them (createApp, project:open).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/db/database';
import { finishRunUnsuccessfully, insertRun } from '../../../src/main/db/training-repository';
import { localAppOptions } from '../../../src/main/server/app-options';
import { createApp, createDirectClient } from '../../../src/main/services/app';
import { runModelDir } from '../../../src/main/services/training';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-stale-models-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Creates a project file (and closes it), returning its path. */
function createProject(name: string): string {
  const file = path.join(dir, name);
  createApp({
    ...localAppOptions({ project: file, userData: path.join(dir, 'user-data'), transport: 'direct' }),
    openMode: 'open-or-create',
    rescanOnOpen: false
  }).close();
  return file;
}

function openProject(file: string) {
  return createApp({
    ...localAppOptions({ project: file, userData: path.join(dir, 'user-data'), transport: 'direct' }),
    openMode: 'open',
    rescanOnOpen: false
  });
}

/** The folder runs' model folders go in, as training names it. */
function modelsDirOf(project: string): string {
  return path.dirname(runModelDir(project, 1));
}

/** A folder with a file inside, as a model save leaves one. */
function folderWithFile(folder: string, file = 'weights.bin'): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, file), 'bytes');
}

describe('stale temporary model folders', () => {
  it('are removed when a project is opened; run folders and everything not named like them stay', () => {
    const project = createProject('p.tstudio');
    const models = modelsDirOf(project);
    expect(models).toBe(`${project}.models`);
    // What crashes leave: a save's temporary folder, and one of a folder moved aside for a replace.
    for (const name of ['.run-3.partial-a1B2c3', '.run-3.partial-a1B2c3-old', '.run-12.partial-zZ9y8x'])
      folderWithFile(path.join(models, name));
    folderWithFile(path.join(models, '.run-12.partial-zZ9y8x', 'nested'));
    // Everything else stays.
    const kept = [
      'run-3',
      'run-12',
      'run-3.partial-abc',
      '.run-x.partial-abc',
      '.run-3.partialabc',
      '.run-3-partial-abc',
      'notes',
      '.other.partial-abc'
    ];
    for (const name of kept) folderWithFile(path.join(models, name), 'model.json');
    writeFileSync(path.join(models, '.run-4.partial-file'), 'a file, not a folder');
    const outside = path.join(dir, 'elsewhere');
    folderWithFile(outside, 'keep.txt');
    symlinkSync(outside, path.join(models, '.run-5.partial-link'));
    folderWithFile(path.join(dir, '.run-3.partial-a1B2c3'));
    folderWithFile(path.join(dir, 'other.tstudio.models', '.run-1.partial-q1w2e3'));

    openProject(project).close();

    expect(readdirSync(models).sort()).toEqual([...kept, '.run-4.partial-file', '.run-5.partial-link'].sort());
    expect(readFileSync(path.join(models, 'run-3', 'model.json'), 'utf8')).toBe('bytes');
    expect(readdirSync(outside)).toEqual(['keep.txt']);
    expect(existsSync(path.join(dir, '.run-3.partial-a1B2c3'))).toBe(true);
    expect(existsSync(path.join(dir, 'other.tstudio.models', '.run-1.partial-q1w2e3'))).toBe(true);
  });

  it('are removed from the project switched to with project:open, not from the one left', async () => {
    const first = createProject('first.tstudio');
    const second = createProject('second.tstudio');
    const app = openProject(first);
    try {
      // Left while `first` is open: it is cleaned on its next open, not while it is in use.
      folderWithFile(path.join(modelsDirOf(first), '.run-1.partial-aaaaaa'));
      folderWithFile(path.join(modelsDirOf(second), '.run-2.partial-bbbbbb'));
      folderWithFile(path.join(modelsDirOf(second), 'run-2'));
      await createDirectClient(app).invoke('project:open', { path: second });
      expect(readdirSync(modelsDirOf(second))).toEqual(['run-2']);
      expect(readdirSync(modelsDirOf(first))).toEqual(['.run-1.partial-aaaaaa']);
    } finally {
      app.close();
    }
  });

  it('are left alone when the file opened is not a valid project', async () => {
    const good = createProject('good.tstudio');
    const bad = path.join(dir, 'notes.tstudio');
    writeFileSync(bad, 'this is not a SQLite database, whatever its name says');
    const partial = path.join(modelsDirOf(bad), '.run-1.partial-cccccc');
    folderWithFile(partial);
    const app = openProject(good);
    try {
      await expect(createDirectClient(app).invoke('project:open', { path: bad })).rejects.toMatchObject({ code: 'PROJECT_INVALID' });
      expect(existsSync(partial)).toBe(true);
    } finally {
      app.close();
    }
  });

  it('of a run the project still marks running are kept: another process may be saving it', () => {
    const project = createProject('busy.tstudio');
    const db = openDatabase(project, { mustExist: true });
    const running = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes: [] });
    const ended = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes: [] });
    finishRunUnsuccessfully(db, ended, 'failed', 'killed');
    db.close();
    const models = modelsDirOf(project);
    folderWithFile(path.join(models, `.run-${running}.partial-live01`));
    folderWithFile(path.join(models, `.run-${ended}.partial-dead01`));
    openProject(project).close();
    expect(readdirSync(models)).toEqual([`.run-${running}.partial-live01`]);
  });

  it('a project without a models folder opens as before', () => {
    const project = createProject('fresh.tstudio');
    const app = openProject(project);
    expect(app.project().path).toBe(project);
    app.close();
    expect(existsSync(modelsDirOf(project))).toBe(false);
  });
});
