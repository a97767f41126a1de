/**
 * Starts the real `npm run serve` (scripts/serve.mjs → tsx src/main/server/main.ts) on a project
 * and reads its JSON listening line. Each run gets its own user data folder unless extraArgs
 * name one, so tests never touch the real one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface ServeHandle {
  /** `http://127.0.0.1:PORT/?token=TOKEN` */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
  port: number;
  /** Everything the process wrote to stdout so far (should be the listening line only). */
  stdout(): string;
  stderr(): string;
  /** SIGTERM to the process group; SIGKILL if it has not exited after 10 s. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface StartServeOptions {
  project: string;
  extraArgs?: string[];
  /** Added to this process's environment (e.g. TS_MODEL_MIRROR). */
  env?: Record<string, string>;
  /** How long to wait for the listening line, ms (a renderer build may come first). */
  timeoutMs?: number;
}

interface ListeningLine {
  type: 'listening';
  url: string;
  port: number;
  token: string;
}

export async function startServe(opts: StartServeOptions): Promise<ServeHandle> {
  const extra = opts.extraArgs ?? [];
  const ownUserData = extra.includes('--user-data') ? null : mkdtempSync(join(tmpdir(), 'tstudio-serve-user-'));
  const args = ['scripts/serve.mjs', '--json', '--project', opts.project, ...extra];
  if (ownUserData !== null) args.push('--user-data', ownUserData);
  // detached: its own process group, so stop() reaches serve.mjs and the server it spawned.
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env }
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let listening: ListeningLine;
  try {
    listening = await waitForListening(child, out, exited, opts.timeoutMs ?? 180_000);
  } catch (err) {
    await killGroup(child, exited);
    if (ownUserData !== null) rmSync(ownUserData, { recursive: true, force: true });
    throw err;
  }
  return {
    url: listening.url,
    origin: new URL(listening.url).origin,
    token: listening.token,
    port: listening.port,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    async stop() {
      const code = await killGroup(child, exited);
      if (ownUserData !== null) rmSync(ownUserData, { recursive: true, force: true });
      return code;
    }
  };
}

function waitForListening(
  child: ChildProcess,
  out: { stdout: string; stderr: string },
  exited: Promise<number | null>,
  timeoutMs: number
): Promise<ListeningLine> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in ${timeoutMs} ms.\nstderr: ${out.stderr}`)), timeoutMs);
    const onData = (): void => {
      const newline = out.stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      try {
        resolvePromise(JSON.parse(out.stdout.slice(0, newline)) as ListeningLine);
      } catch {
        reject(new Error(`serve printed something other than a JSON line: ${out.stdout.slice(0, newline)}`));
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening.\nstderr: ${out.stderr}`));
    });
  });
}

async function killGroup(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  signalGroup(child, 'SIGTERM');
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
  const result = await Promise.race([exited, timeout]);
  if (result !== 'timeout') return result;
  signalGroup(child, 'SIGKILL');
  return exited;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is already gone.
  }
}
