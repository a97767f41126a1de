#!/usr/bin/env node
// Runs before `npm start` and packaging. Makes sure (1) the Electron binary is present and
// (2) better-sqlite3 is built for Electron's ABI in .native/electron/, built in a copy so the
// Node-ABI build in node_modules (used by tests, CLI and serve mode) stays intact. After one
// `npm install`, `npm start` and `npm test` then both work, in either order.
import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const electronDir = join(root, 'node_modules/electron');
const nativeDir = join(root, '.native/electron');
const bindingPath = join(nativeDir, 'better_sqlite3.node');
const stampPath = join(nativeDir, 'stamp.json');
const INSTALL_TIMEOUT_MS = 120_000;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function electronBinaryPresent() {
  try {
    const version = readFileSync(join(electronDir, 'dist/version'), 'utf8').trim().replace(/^v/, '');
    const exe = readFileSync(join(electronDir, 'path.txt'), 'utf8').trim();
    return version === readJson(join(electronDir, 'package.json')).version && existsSync(join(electronDir, 'dist', exe));
  } catch {
    return false;
  }
}

/** Runs a command; resolves with its exit code and the tail of its output. */
function run(command, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => (output = (output + chunk.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      output += `\n(timed out after ${INSTALL_TIMEOUT_MS / 1000} s)`;
      child.kill('SIGKILL');
    }, INSTALL_TIMEOUT_MS);
    child.on('error', (err) => keep(err.message));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, output });
    });
  });
}

/** The last line that says something, for a one-line reason. */
function reason(output) {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const useful = lines.filter((l) => /error|fail|ENOTFOUND|EAI_AGAIN|ECONN|timed out|getaddrinfo/i.test(l));
  return (useful[0] ?? lines.at(-1) ?? 'unknown error').slice(0, 300);
}

async function ensureElectronBinary() {
  if (electronBinaryPresent()) return;
  if (!existsSync(join(electronDir, 'install.js'))) {
    fail('Electron is not installed (node_modules/electron is missing); run `npm install`. The browser UI works with `npm run serve`.');
  }
  process.stderr.write('Downloading the Electron binary…\n');
  const result = await run(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir });
  if (result.code !== 0 || !electronBinaryPresent()) {
    const hint = /fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(result.output)
      ? ' (no network? ELECTRON_MIRROR can name a mirror)'
      : '';
    fail(`Electron could not be downloaded: ${reason(result.output)}${hint}; the browser UI works with \`npm run serve\`.`);
  }
}

function wantedStamp(electronVersion) {
  return { electron: electronVersion, betterSqlite3: readJson(join(root, 'node_modules/better-sqlite3/package.json')).version };
}

function stampMatches(wanted) {
  try {
    const have = readJson(stampPath);
    return existsSync(bindingPath) && have.electron === wanted.electron && have.betterSqlite3 === wanted.betterSqlite3;
  } catch {
    return false;
  }
}

async function buildBetterSqlite3(electronVersion) {
  const wanted = wantedStamp(electronVersion);
  if (stampMatches(wanted)) return;
  process.stderr.write(`Building better-sqlite3 ${wanted.betterSqlite3} for Electron ${electronVersion}…\n`);
  // A throw-away project holding a copy of the module; @electron/rebuild builds it in place.
  const work = join(nativeDir, 'work');
  await fs.rm(work, { recursive: true, force: true });
  const moduleCopy = join(work, 'node_modules/better-sqlite3');
  await fs.cp(join(root, 'node_modules/better-sqlite3'), moduleCopy, {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`)
  });
  await fs.writeFile(
    join(work, 'package.json'),
    JSON.stringify({ name: 'native-work', private: true, dependencies: { 'better-sqlite3': wanted.betterSqlite3 } })
  );
  try {
    const { rebuild } = await import('@electron/rebuild');
    await withTimeout(rebuild({ buildPath: work, electronVersion, onlyModules: ['better-sqlite3'], force: true }), INSTALL_TIMEOUT_MS);
  } catch (err) {
    fail(
      `better-sqlite3 could not be built for Electron ${electronVersion}: ${oneLine(err)}. \`npm run serve\` and \`npm test\` do not need it.`
    );
  }
  await fs.copyFile(join(moduleCopy, 'build/Release/better_sqlite3.node'), bindingPath);
  await fs.writeFile(stampPath, JSON.stringify(wanted, null, 2) + '\n');
  await fs.rm(work, { recursive: true, force: true });
  process.stderr.write(`Built ${bindingPath}\n`);
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function oneLine(err) {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 2)
    .join(' ')
    .slice(0, 300);
}

await ensureElectronBinary();
await buildBetterSqlite3(readJson(join(electronDir, 'package.json')).version);
