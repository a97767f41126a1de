/**
 * Soak: two processes on one project for SOAK_SECONDS (default 300) of mixed work, then checks.
 * - serve mode (a real `npm run serve` process) takes label bursts, page/stats reads and
 *   folder rescans over HTTP from this bench;
 * - the CLI (separate processes, one after another) imports a folder that keeps growing, trains
 *   (TM MobileNetV2, 96 px), predicts again and exports the model.
 * Afterwards: errors (every failed request or non-zero CLI exit), lost writes (every
 * acknowledged label must be in the project) and PRAGMA integrity_check. Exits 1 if any fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { writeNumberedPhotos } from '../test/helpers/numbered-photos';
import { REPO_ROOT, startServe, type ServeHandle } from '../test/helpers/serve';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const SHARED = path.resolve(REPO_ROOT, '../shared');
const HYMENOPTERA = path.join(SHARED, 'datasets/hymenoptera');
const TM_BASE = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');

interface Tally {
  ops: Map<string, number>;
  errors: string[];
  labelMs: number[];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-soak-'));
  const project = path.join(dir, 'soak.tstudio');
  const incoming = path.join(dir, 'incoming');
  const tally: Tally = { ops: new Map(), errors: [], labelMs: [] };
  let serve: ServeHandle | null = null;
  try {
    await writeNumberedPhotos(incoming, 200, 'start');
    await cli(tally, 'import', ['import', HYMENOPTERA, '--project', project, '--classes-from-folders', '--user-data', dir]);
    serve = await startServe({ project, extraArgs: ['--user-data', path.join(dir, 'serve')] });
    console.log(`soak: ${SECONDS} s on ${project} (load ${os.loadavg()[0].toFixed(2)}, ${os.cpus().length} cores)`);
    const deadline = Date.now() + SECONDS * 1000;
    const acknowledged = new Map<number, number | null>();
    await Promise.all([serveWork(serve, tally, acknowledged, deadline, incoming), cliWork(tally, project, dir, incoming, deadline)]);
    report(tally, checkProject(project, acknowledged));
  } finally {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Label bursts (with the answer awaited, as the UI does), reads, and a rescan every ~15 s. */
async function serveWork(
  serve: ServeHandle,
  tally: Tally,
  acknowledged: Map<number, number | null>,
  deadline: number,
  incoming: string
): Promise<void> {
  const classes = (await invoke<Array<{ id: number }>>(serve, tally, 'classes:list', {})) ?? [];
  const ids = (await invoke<number[]>(serve, tally, 'photos:ids', {})) ?? [];
  let lastRescan = Date.now();
  let n = 0;
  while (Date.now() < deadline) {
    for (let i = 0; i < 40; i++, n++) {
      const photoId = ids[(n * 7919) % ids.length];
      const classId = n % 10 === 9 ? null : classes[n % classes.length].id;
      const started = performance.now();
      const ok = await invoke(serve, tally, 'labels:assign', { photoIds: [photoId], classId });
      tally.labelMs.push(performance.now() - started);
      if (ok !== undefined) acknowledged.set(photoId, classId);
    }
    await invoke(serve, tally, 'photos:page', { limit: 200, filter: { kind: 'unlabeled' } });
    await invoke(serve, tally, 'stats:get', {});
    if (Date.now() - lastRescan > 15_000) {
      lastRescan = Date.now();
      await writeNumberedPhotos(incoming, 50, `serve${n}-`);
      await invoke(serve, tally, 'folders:rescan', {});
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** import → train → predict → export, over and over, with new photos appearing in between. */
async function cliWork(tally: Tally, project: string, dir: string, incoming: string, deadline: number): Promise<void> {
  const common = ['--project', project, '--user-data', path.join(dir, 'cli')];
  for (let round = 0; Date.now() < deadline; round++) {
    await writeNumberedPhotos(incoming, 150, `cli${round}-`);
    await cli(tally, 'import', ['import', incoming, ...common, '--json']);
    if (Date.now() >= deadline) break;
    const trained = await cli(tally, 'train', [
      'train',
      ...common,
      '--backbone',
      'mobilenet_v2',
      '--weights',
      TM_BASE,
      '--size',
      '96',
      '--epochs',
      '8',
      '--json'
    ]);
    const runId = (lastJson(trained) as { runId?: number } | null)?.runId;
    if (Date.now() >= deadline) break;
    await cli(tally, 'predict', ['predict', ...common, '--json']);
    if (runId !== undefined)
      await cli(tally, 'export', ['export', '--run', String(runId), '--out', path.join(dir, `export-${round}`), ...common]);
  }
}

async function invoke<T>(serve: ServeHandle, tally: Tally, channel: string, body: unknown): Promise<T | undefined> {
  count(tally, channel);
  try {
    const res = await fetch(`${serve.origin}/api/invoke/${channel}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    });
    const envelope = (await res.json()) as { ok: boolean; data?: T; error?: { code: string; message: string } };
    if (envelope.ok) return envelope.data as T;
    tally.errors.push(`serve ${channel}: ${envelope.error?.code} ${envelope.error?.message}`);
  } catch (err) {
    tally.errors.push(`serve ${channel}: ${(err as Error).message}`);
  }
  return undefined;
}

function cli(tally: Tally, op: string, args: string[]): Promise<string> {
  count(tally, `cli ${op}`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/index.ts', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (code !== 0) tally.errors.push(`cli ${op} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      resolve(stdout);
    })
  );
}

function lastJson(stdout: string): unknown {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return line ? (JSON.parse(line) as unknown) : null;
  } catch {
    return null;
  }
}

function count(tally: Tally, op: string): void {
  tally.ops.set(op, (tally.ops.get(op) ?? 0) + 1);
}

/** Lost writes (acknowledged labels not in the project) and the integrity check. */
function checkProject(project: string, acknowledged: Map<number, number | null>): { lost: number; checked: number; integrity: string } {
  const db = new BetterSqlite3(project, { readonly: true });
  try {
    const label = db.prepare('SELECT class_id FROM labels WHERE photo_id = ?').pluck();
    let lost = 0;
    for (const [photoId, classId] of acknowledged) {
      const stored = (label.get(photoId) as number | undefined) ?? null;
      if (stored !== classId) lost++;
    }
    return { lost, checked: acknowledged.size, integrity: String(db.pragma('integrity_check', { simple: true })) };
  } finally {
    db.close();
  }
}

function report(tally: Tally, check: { lost: number; checked: number; integrity: string }): void {
  const sorted = [...tally.labelMs].sort((a, b) => a - b);
  const pct = (p: number): string => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))].toFixed(1) : '-');
  console.log(`  operations: ${[...tally.ops].map(([op, n]) => `${op} ${n}`).join(', ')}`);
  console.log(`  label latency (serve, awaited): p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`);
  console.log(`  errors: ${tally.errors.length}`);
  for (const e of tally.errors.slice(0, 20)) console.log(`    ${e}`);
  console.log(`  lost writes: ${check.lost} of ${check.checked} acknowledged labels (last write per photo)`);
  console.log(`  integrity_check: ${check.integrity}`);
  console.log(`  load at the end: ${os.loadavg()[0].toFixed(2)}`);
  if (tally.errors.length > 0 || check.lost > 0 || check.integrity !== 'ok') process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
