#!/usr/bin/env node
// `npm run serve [-- args]`: (re)builds the renderer when it is missing or stale, then runs the
// server (src/main/server/main.ts) under tsx. Stdout belongs to the server's one listening
// line; everything this script says goes to stderr.
import { spawn } from 'node:child_process';
import { promises as fs, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const webIndex = join(root, 'out/web/index.html');
const sources = [join(root, 'src/renderer'), join(root, 'src/shared'), join(root, 'vite.web.config.ts')];
// Concurrent `serve` runs (parallel tests) must not empty out/web under each other.
const lockDir = join(root, 'out/.web-build.lock');
const STALE_LOCK_MS = 60_000;
const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

async function newestMtime(path) {
  const stat = await fs.stat(path).catch(() => null);
  if (stat === null) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  const entries = await fs.readdir(path);
  let newest = stat.mtimeMs;
  for (const entry of entries) newest = Math.max(newest, await newestMtime(join(path, entry)));
  return newest;
}

async function isStale() {
  const built = await fs.stat(webIndex).catch(() => null);
  if (built === null) return true;
  let newest = 0;
  for (const source of sources) newest = Math.max(newest, await newestMtime(source));
  return newest > built.mtimeMs;
}

/** True when the run that holds the lock is gone (killed before it could clean up). */
async function lockIsStale() {
  const stat = await fs.stat(lockDir).catch(() => null);
  if (stat === null) return false;
  const owner = Number(await fs.readFile(join(lockDir, 'owner'), 'utf8').catch(() => ''));
  if (Number.isInteger(owner) && owner > 0) {
    try {
      process.kill(owner, 0);
      return false;
    } catch (err) {
      return err.code === 'ESRCH';
    }
  }
  // No owner written yet: only the age can tell.
  return Date.now() - stat.mtimeMs > STALE_LOCK_MS;
}

async function acquireLock() {
  await fs.mkdir(join(root, 'out'), { recursive: true });
  let told = false;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      await fs.writeFile(join(lockDir, 'owner'), String(process.pid));
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (await lockIsStale()) {
        await fs.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!told) process.stderr.write('serve: waiting for another run to finish building the renderer…\n');
      told = true;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function buildRendererIfStale() {
  if (!(await fs.stat(join(root, 'src/renderer/index.html')).catch(() => null))) {
    process.stderr.write('serve: src/renderer/index.html not found; serving the API only\n');
    return;
  }
  if (!(await isStale())) return;
  await acquireLock();
  // A Ctrl+C during the build must not leave the lock behind for the next run.
  const releaseAndExit = (signal) => {
    rmSync(lockDir, { recursive: true, force: true });
    process.exit(128 + (signalNumbers[signal] ?? 1));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, releaseAndExit);
  try {
    // Another run may have built it while we waited for the lock.
    if (!(await isStale())) return;
    process.stderr.write('serve: building the renderer (out/web)…\n');
    const { build } = await import('vite');
    await build({ configFile: join(root, 'vite.web.config.ts'), logLevel: 'warn' });
  } finally {
    await fs.rm(lockDir, { recursive: true, force: true });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(signal, releaseAndExit);
  }
}

function runServer(args) {
  const tsx = fileURLToPath(import.meta.resolve('tsx'));
  const child = spawn(process.execPath, ['--import', tsx, join(root, 'src/main/server/main.ts'), ...args], {
    stdio: 'inherit'
  });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  child.on('exit', (code, signal) => {
    process.exit(code ?? (signal ? 128 + (signalNumbers[signal] ?? 1) : 1));
  });
  child.on('error', (err) => {
    process.stderr.write(`serve: could not start the server: ${err.message}\n`);
    process.exit(1);
  });
}

try {
  await buildRendererIfStale();
} catch (err) {
  process.stderr.write(`serve: renderer build failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
runServer(process.argv.slice(2));
