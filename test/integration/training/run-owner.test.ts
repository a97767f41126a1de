/**
 * Every run has an owner, with two real processes on one project: a CLI `train` owns the run;
 * a second CLI command on the same project (`export`, which settles orphaned runs when it opens
 * the project) leaves the run alone while its owner lives, and the run then completes with no
 * error text. When the owner is killed mid-run, the next command marks the run failed.
 *
 * No timing is asserted: the training process is paused (SIGSTOP) while the second command
 * runs, so the run is certainly still going on, and resumed afterwards.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/db/database';
import { INTERRUPTED } from '../../../src/main/services/run-owner';
import { REPO_ROOT, TM_BASE } from './project-fixture';
import { drawSyntheticPhotos } from './synthetic-photos';
import { isAlive } from '../../helpers/processes';

const DRIVER = path.join(REPO_ROOT, 'test/integration/training/cli-driver.ts');
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');

let dir: string;
let project: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-run-owner-'));
  project = path.join(dir, 'p.tstudio');
  await drawSyntheticPhotos(path.join(dir, 'shapes'), { perClass: 10, valPerClass: 5 });
  await promisify(execFile)(
    TSX,
    [DRIVER, 'import', path.join(dir, 'shapes'), '--project', project, '--classes-from-folders', ...userData()],
    {
      cwd: REPO_ROOT
    }
  );
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function userData(): string[] {
  return ['--user-data', path.join(dir, 'user-data')];
}

interface Run {
  id: number;
  status: string;
  error: string | null;
  owner_pid: number | null;
}

function runs(): Run[] {
  const db = openDatabase(project, { mustExist: true });
  try {
    return db.prepare('SELECT id, status, error, owner_pid FROM training_runs ORDER BY id').all() as Run[];
  } finally {
    db.close();
  }
}

/** `train` in its own process; resolves once it reports progress (the run is stored and training). */
async function startTraining(): Promise<{ child: ChildProcess; exited: Promise<number | null>; run: Run }> {
  const args = [DRIVER, 'train', '--project', project, '--backbone', 'mobilenet_v2', '--weights', TM_BASE, '--size', '96', '--json'];
  const child = spawn(TSX, [...args, ...userData()], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('"type":"progress"') && resolve());
    void exited.then((code) => reject(new Error(`train exited with ${code} before reporting progress`)));
  });
  const run = runs().at(-1) as Run;
  return { child, exited, run };
}

/** The training process the owner started (its only child). */
async function childPidOf(pid: number): Promise<number> {
  const { stdout } = await promisify(execFile)('pgrep', ['-P', String(pid)]);
  const pids = stdout.trim().split('\n').filter(Boolean).map(Number);
  expect(pids).toHaveLength(1);
  return pids[0];
}

/** A second command on the project; it fails (the run has no model yet) after settling orphaned runs. */
async function exportFromAnotherProcess(runId: number): Promise<string> {
  const args = [DRIVER, 'export', '--run', String(runId), '--out', path.join(dir, 'out'), '--project', project, ...userData()];
  const result = await promisify(execFile)(TSX, args, { cwd: REPO_ROOT }).catch((err: { stderr: string }) => err);
  return result.stderr;
}

describe.skipIf(process.platform === 'win32')('run owners across processes', () => {
  it("a command in another process leaves a live owner's run running, and the run completes without error text", async () => {
    const { exited, run } = await startTraining();
    expect(run).toMatchObject({ status: 'running', error: null });
    expect(run.owner_pid).not.toBeNull();
    const worker = await childPidOf(run.owner_pid as number);
    process.kill(worker, 'SIGSTOP');
    try {
      const stderr = await exportFromAnotherProcess(run.id);
      expect(stderr).toContain(`Run ${run.id} has no saved model (status running)`);
      expect(runs().find((r) => r.id === run.id)).toMatchObject({ status: 'running', error: null });
    } finally {
      process.kill(worker, 'SIGCONT');
    }
    expect(await exited).toBe(0);
    expect(runs().find((r) => r.id === run.id)).toMatchObject({ status: 'completed', error: null });
  }, 300_000);

  it('a run whose owner was killed is marked failed by the next command that opens the project', async () => {
    const { child, exited, run } = await startTraining();
    const worker = await childPidOf(run.owner_pid as number);
    process.kill(run.owner_pid as number, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
    // The training process follows its owner (it exits when the IPC channel closes).
    await expect.poll(() => !isAlive(worker), { timeout: 30_000 }).toBe(true);
    expect(runs().find((r) => r.id === run.id)).toMatchObject({ status: 'running' });
    const stderr = await exportFromAnotherProcess(run.id);
    expect(stderr).toContain(`Run ${run.id} has no saved model (status failed)`);
    expect(runs().find((r) => r.id === run.id)).toMatchObject({ status: 'failed', error: INTERRUPTED });
  }, 300_000);
});
