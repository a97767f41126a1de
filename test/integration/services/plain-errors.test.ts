/**
 * Failures that used to surface as raw system messages now say what happened and what to do:
 * a project damaged mid-file (confirmed by integrity_check), a read-only project (refused at
 * open, checked by a real process of an unprivileged user), an unreadable subfolder, a weights
 * folder without model.json, and JSON files that are not JSON (never quoted back).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadBackbone } from '../../../src/main/engine/load-backbone';
import { parseManifest } from '../../../src/main/engine/manifests';
import { createApp, createDirectClient } from '../../../src/main/services/app';
import { localAppOptions } from '../../../src/main/server/app-options';
import { REPO_ROOT, writePhoto } from './fixtures';

const NOBODY = 65534;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tstudio-errors-'));
  chmodSync(dir, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function importInto(project: string, folder: string): Promise<void> {
  const app = createApp({ ...localAppOptions({ project, userData: dir, transport: 'direct' }), rescanOnOpen: false });
  try {
    await createDirectClient(app).invoke('folders:add', { path: folder, classesFromFolders: true });
  } finally {
    app.close();
  }
}

/** The CLI as user "nobody": file permissions apply to it, unlike to root. */
function cliAsNobody(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/cli/index.ts', ...args], {
    cwd: REPO_ROOT,
    uid: NOBODY,
    gid: NOBODY,
    env: { ...process.env, HOME: dir },
    encoding: 'utf8',
    timeout: 120_000
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('plain-words errors', () => {
  it('a project damaged mid-file is reported as damaged, with what to do, after an integrity check', async () => {
    const project = path.join(dir, 'p.tstudio');
    for (let i = 0; i < 120; i++) await writePhoto(path.join(dir, 'photos', i % 2 ? 'a' : 'b', `p${i}.jpg`));
    await importInto(project, path.join(dir, 'photos'));
    const db = new BetterSqlite3(project);
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'photos'").pluck().get() as number;
    db.close();
    // Garbage over the photos table's root page: the file still opens, its photos cannot be read.
    const fd = openSync(project, 'r+');
    writeSync(fd, Buffer.alloc(200, 0xa5), 0, 200, (root - 1) * pageSize);
    closeSync(fd);

    const app = createApp({ ...localAppOptions({ project, userData: dir, transport: 'direct' }), rescanOnOpen: false });
    try {
      const envelope = await app.dispatch('photos:page', {});
      expect(envelope).toMatchObject({ ok: false, error: { code: 'PROJECT_INVALID' } });
      const message = envelope.ok ? '' : envelope.error.message;
      expect(message).toMatch(/^The project file .* is damaged \(SQLite's integrity check: /);
      expect(message).toMatch(/Open a backup copy of the project/);
      expect(message).not.toMatch(/malformed|train again/i);
    } finally {
      app.close();
    }
  }, 120_000);

  it('a read-only project is refused when it is opened, in plain words', async () => {
    const project = path.join(dir, 'p.tstudio');
    await writePhoto(path.join(dir, 'photos', 'x.jpg'));
    await importInto(project, path.join(dir, 'photos'));
    chmodSync(project, 0o644);
    const run = cliAsNobody(['stats', '--project', project, '--user-data', path.join(dir, 'nobody-home')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: The project .*p\.tstudio is read-only: its folder .* cannot be written/m);
    expect(run.stderr).not.toMatch(/SQLITE|attempt to write/i);
  }, 120_000);

  it('an unreadable subfolder is listed under Skipped; the rest is imported', async () => {
    const work = path.join(dir, 'work');
    mkdirSync(work, { mode: 0o777 });
    chmodSync(work, 0o777);
    await writePhoto(path.join(dir, 'photos', 'open.jpg'));
    await writePhoto(path.join(dir, 'photos', 'private', 'hidden.jpg'));
    chmodSync(path.join(dir, 'photos', 'private'), 0o700);
    const run = cliAsNobody(['import', path.join(dir, 'photos'), '--project', path.join(work, 'p.tstudio'), '--user-data', work, '--json']);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
      photos: number;
      skipped: { path: string; reason: string }[];
    };
    expect(result.photos).toBe(1);
    expect(result.skipped).toEqual([
      { path: path.join(dir, 'photos', 'private'), reason: 'folder cannot be read (permission denied); its photos were not imported' }
    ]);
  }, 120_000);

  it('a weights folder without model.json says so instead of EISDIR', async () => {
    const folder = path.join(dir, 'weights');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'weights.bin'), Buffer.alloc(16));
    await expect(loadBackbone({ id: 'mobilenet_v2', weightsPath: folder, inputSize: 96 })).rejects.toMatchObject({
      code: 'WEIGHTS_INVALID',
      message: `The weights folder ${folder} has no model.json. Choose a TF.js layers-model folder (model.json with its weight files) or a Keras .h5 weights file.`
    });
  });

  it('a training start with such a folder is refused with the same words, before any process starts', async () => {
    const folder = path.join(dir, 'weights');
    mkdirSync(folder);
    const app = createApp({
      ...localAppOptions({ project: path.join(dir, 'p.tstudio'), userData: dir, transport: 'direct' }),
      rescanOnOpen: false
    });
    try {
      const envelope = await app.dispatch('training:start', { backboneId: 'mobilenet_v2', weightsPath: folder });
      expect(envelope).toMatchObject({
        ok: false,
        error: { code: 'WEIGHTS_INVALID', message: expect.stringMatching(/has no model\.json/) }
      });
    } finally {
      app.close();
    }
  });

  it('JSON that does not parse is reported without quoting the file', async () => {
    const folder = path.join(dir, 'weights');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'model.json'), '{"modelTopology": secret-token-4711 ');
    const failure = await loadBackbone({ id: 'mobilenet_v2', weightsPath: folder, inputSize: 96 }).catch((e: Error) => e);
    expect(failure).toMatchObject({ code: 'WEIGHTS_INVALID', message: expect.stringMatching(/model\.json is not valid JSON/) });
    expect((failure as Error).message).not.toMatch(/secret|4711|modelTopology/);

    const manifest = path.join(dir, 'manifest.json');
    writeFileSync(manifest, '{"id": "private-name", ');
    expect(() => parseManifest(manifest)).toThrow(/is not valid JSON: it ends too early/);
    expect(() => parseManifest(manifest)).not.toThrow(/private-name/);
  });
});
