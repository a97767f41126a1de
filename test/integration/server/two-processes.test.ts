/**
 * Two real processes on one project: serve mode takes a burst of label writes while a CLI import
 * of another folder runs. Writers wait for the lock (immediate transactions + busy timeout)
 * instead of failing with "database is locked": both succeed and no acknowledged label is lost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, createDirectClient } from '../../../src/main/services/app';
import { localAppOptions } from '../../../src/main/server/app-options';
import { writeNumberedPhotos } from '../../helpers/numbered-photos';
import { REPO_ROOT, startServe, type ServeHandle } from '../../helpers/serve';
import { invokeOverHttp } from './fixtures';

const INCOMING = 4_000;
const FOLDERS = 4;
/** Label writers in parallel, like several quick clicks in flight. */
const WRITERS = 12;

let dir: string;
let project: string;
let serve: ServeHandle;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tstudio-two-proc-'));
  project = path.join(dir, 'p.tstudio');
  await writeNumberedPhotos(path.join(dir, 'labeled', 'cats'), 30);
  await writeNumberedPhotos(path.join(dir, 'labeled', 'dogs'), 30);
  // Several imports of 1,000 photos: before writers took the lock up front, each import read, then
  // wrote, and a label committed in between made it fail at once ("database is locked").
  for (let f = 0; f < FOLDERS; f++) await writeNumberedPhotos(path.join(dir, `incoming${f}`), INCOMING / FOLDERS);
  const app = createApp({ ...localAppOptions({ project, userData: dir, transport: 'direct' }), rescanOnOpen: false });
  await createDirectClient(app).invoke('folders:add', { path: path.join(dir, 'labeled'), classesFromFolders: true });
  app.close();
  serve = await startServe({ project, extraArgs: ['--user-data', path.join(dir, 'serve-user')] });
}, 300_000);

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runCliImport(folder: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = [
    '--import',
    'tsx',
    'src/main/cli/index.ts',
    'import',
    folder,
    '--project',
    project,
    '--user-data',
    path.join(dir, 'cli-user'),
    '--json'
  ];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, ...out })));
}

async function call<T>(channel: string, body: unknown): Promise<T> {
  const res = await invokeOverHttp(serve.port, serve.token, channel, body);
  const envelope = res.json() as { ok: boolean; data?: T; error?: { code: string; message: string } };
  if (!envelope.ok) throw new Error(`${channel} failed: ${envelope.error?.code} ${envelope.error?.message}`);
  return envelope.data as T;
}

describe('two processes on one project', () => {
  it('a CLI import and a burst of labels in serve mode both succeed, and every acknowledged label is stored', async () => {
    const classes = await call<Array<{ id: number; name: string }>>('classes:list', {});
    const page = await call<{ items: Array<{ id: number }> }>('photos:page', { limit: 100 });
    const ids = page.items.map((p) => p.id);
    expect(ids).toHaveLength(60);

    const importing = (async () => {
      const runs = [];
      for (let f = 0; f < FOLDERS; f++) runs.push(await runCliImport(path.join(dir, `incoming${f}`)));
      return runs;
    })();
    let finished = false;
    void importing.then(() => (finished = true));
    const acknowledged = new Map<number, number>();
    const failures: string[] = [];
    let writes = 0;
    // Each writer owns its photos (so "last acknowledged" is well defined) and labels until the
    // import is done, each label waiting for its answer.
    const writer = async (w: number): Promise<void> => {
      const mine = ids.filter((_, i) => i % WRITERS === w);
      for (let n = 0; !finished || n < 30; n++) {
        const photoId = mine[n % mine.length];
        const classId = classes[(n >> 1) % classes.length].id;
        try {
          await call('labels:assign', { photoIds: [photoId], classId });
          acknowledged.set(photoId, classId);
        } catch (err) {
          failures.push((err as Error).message);
        }
        writes++;
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    const runs = await importing;

    expect(writes).toBeGreaterThan(90);
    expect(failures).toEqual([]);
    for (const cli of runs) {
      expect(cli.stderr).not.toMatch(/locked|busy/i);
      expect(cli.code).toBe(0);
    }
    const result = JSON.parse(runs[FOLDERS - 1].stdout.trim().split('\n').at(-1) as string) as { type: string; photos: number };
    expect(result).toMatchObject({ type: 'result', photos: INCOMING + 60 });

    const db = new BetterSqlite3(project, { readonly: true });
    try {
      const stored = new Map(
        (db.prepare('SELECT photo_id, class_id FROM labels').raw().all() as Array<[number, number]>).filter(([id]) => acknowledged.has(id))
      );
      expect(stored).toEqual(acknowledged);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  }, 600_000);
});
