#!/usr/bin/env node
// Builds the optional jpeg-scaled addon (src/main/imaging/native/jpeg-scaled.c) into
// .native/jpeg-scaled.node: libjpeg-turbo's DCT-scaled decode for the import's thumbnails.
// Runs after `npm install` (postinstall) and never fails it: without a C compiler and
// libjpeg-turbo's headers the app makes the same thumbnails by a slower path, and this script
// says what to install. Writes .native/jpeg-scaled.json ({ built, reason, linkage, source }) so tests
// and benchmarks can tell "not built here, and why" from "built but broken".
//
//   node scripts/build-native.mjs            build (quiet when it works)
//   node scripts/build-native.mjs --verbose  also print the compiler commands
//   node scripts/build-native.mjs --out DIR  build into DIR instead of .native (tests)
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const source = join(root, 'src/main/imaging/native/jpeg-scaled.c');
const outFlag = process.argv.indexOf('--out');
const outDir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, '.native');
const target = join(outDir, 'jpeg-scaled.node');
const statusFile = join(outDir, 'jpeg-scaled.json');
const verbose = process.argv.includes('--verbose');
const INSTALL_HINT =
  process.platform === 'darwin'
    ? 'Install Xcode’s command line tools and jpeg-turbo (brew install jpeg-turbo), then run "node scripts/build-native.mjs".'
    : 'On Debian/Ubuntu: apt-get install gcc libc6-dev libjpeg62-turbo-dev (Ubuntu: libjpeg-turbo8-dev), then run "node scripts/build-native.mjs".';

function finish(status) {
  mkdirSync(outDir, { recursive: true });
  // A build from older sources must not outlive a failed rebuild.
  if (!status.built) rmSync(target, { force: true });
  writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
  if (status.built) {
    if (verbose) process.stdout.write(`jpeg-scaled: built (${status.linkage}) → ${target}\n`);
  } else {
    process.stdout.write(`jpeg-scaled: not built (${status.reason}). Thumbnails use the full-size decode instead. ${INSTALL_HINT}\n`);
  }
  process.exit(0);
}

function nodeApiInclude() {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('node-api-headers/package.json')), 'include');
  } catch {
    const bundled = resolve(dirname(process.execPath), '../include/node');
    return existsSync(join(bundled, 'node_api.h')) ? bundled : null;
  }
}

function pkgConfig(args) {
  const r = spawnSync('pkg-config', [...args, 'libjpeg'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Where libjpeg-turbo's headers and libraries are: pkg-config, else Homebrew's or the system's. */
function libjpeg() {
  const cflags = pkgConfig(['--cflags']);
  const libdir = pkgConfig(['--variable=libdir']);
  if (cflags !== null && libdir !== null) return { cflags: cflags.split(/\s+/).filter(Boolean), libdirs: [libdir] };
  const prefixes = ['/opt/homebrew/opt/jpeg-turbo', '/usr/local/opt/jpeg-turbo', '/usr/local', '/usr'];
  const prefix = prefixes.find((p) => existsSync(join(p, 'include/jpeglib.h')));
  if (prefix === undefined) return null;
  const multiarch = spawnSync('cc', ['-print-multiarch'], { encoding: 'utf8' }).stdout?.trim();
  const libdirs = [join(prefix, 'lib'), ...(multiarch ? [join(prefix, 'lib', multiarch)] : [])];
  return { cflags: [`-I${join(prefix, 'include')}`], libdirs };
}

/**
 * The compiler commands to try, best first. Static linking makes an addon that needs only libc,
 * so it ships inside the app; Debian's archive is position-independent enough for that with
 * -Bsymbolic (the addon avoids jerror.c, the one object that is not). Else the shared libjpeg.
 */
function attempts(include, jpeg, out) {
  const common = ['-O2', '-fPIC', '-fvisibility=hidden', '-Wall', `-I${include}`, ...jpeg.cflags, source, '-o', out];
  const staticLib = jpeg.libdirs.map((d) => join(d, 'libjpeg.a')).find((f) => existsSync(f));
  if (process.platform === 'darwin') {
    const base = ['-bundle', '-undefined', 'dynamic_lookup', ...common];
    return [
      ...(staticLib ? [{ linkage: 'static libjpeg-turbo', args: [...base, staticLib] }] : []),
      { linkage: 'shared libjpeg-turbo', args: [...base, ...jpeg.libdirs.map((d) => `-L${d}`), '-ljpeg'] }
    ];
  }
  const base = ['-shared', ...common];
  return [
    ...(staticLib ? [{ linkage: 'static libjpeg-turbo', args: [...base, '-Wl,-Bsymbolic', '-Wl,--exclude-libs,ALL', staticLib] }] : []),
    { linkage: 'shared libjpeg-turbo', args: [...base, ...jpeg.libdirs.map((d) => `-L${d}`), '-ljpeg'] }
  ];
}

/** Loads the fresh build in a child Node and decodes a real JPEG at 1/8: a build that cannot load is no build. */
function selfTest(file) {
  const script = `
    const sharp = require(${JSON.stringify(createRequire(import.meta.url).resolve('sharp'))});
    const addon = require(${JSON.stringify(file)});
    sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).jpeg().toBuffer().then((jpeg) => {
      const out = Buffer.alloc(8 * 6 * 4);
      const size = addon.decodeScaled(jpeg, 8, out);
      if (size.width !== 8 || size.height !== 6 || Math.abs(out[2] - 0xcc) > 8) throw new Error('wrong pixels');
    }).catch((err) => { console.error(err.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const lines = r.stderr.trim().split('\n');
  return r.status === 0 ? null : (lines.find((l) => /Error/.test(l)) ?? lines[0] ?? `exit ${r.status}`);
}

/** Which source the build is of: a test fails when the addon is older than jpeg-scaled.c. */
function sourceHash() {
  return createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
}

function main() {
  if (process.env.TS_BUILD_NATIVE === '0') finish({ built: false, reason: 'skipped by TS_BUILD_NATIVE=0' });
  if (process.platform === 'win32') finish({ built: false, reason: 'not built on Windows yet (no MSVC build script)' });
  if (spawnSync('cc', ['--version']).status !== 0) finish({ built: false, reason: 'no C compiler (cc) found' });
  const include = nodeApiInclude();
  if (include === null) finish({ built: false, reason: 'Node-API headers not found (node-api-headers is not installed)' });
  const jpeg = libjpeg();
  if (jpeg === null) finish({ built: false, reason: 'libjpeg-turbo headers (jpeglib.h) not found' });
  mkdirSync(outDir, { recursive: true });
  // Named *.node: require() loads other extensions as JavaScript.
  const temp = join(outDir, `jpeg-scaled.${process.pid}.tmp.node`);
  const errors = [];
  for (const { linkage, args } of attempts(include, jpeg, temp)) {
    if (verbose) process.stdout.write(`cc ${args.join(' ')}\n`);
    try {
      execFileSync('cc', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      const stderr = err.stderr?.toString() ?? err.message;
      errors.push(
        `${linkage}: ${
          stderr
            .trim()
            .split('\n')
            .find((l) => /error/i.test(l)) ?? stderr.trim().split('\n')[0]
        }`
      );
      continue;
    }
    const problem = selfTest(temp);
    if (problem !== null) {
      errors.push(`${linkage}: built but does not work (${problem})`);
      continue;
    }
    renameSync(temp, target);
    finish({ built: true, reason: null, linkage, source: sourceHash() });
  }
  rmSync(temp, { force: true });
  finish({ built: false, reason: errors.join('; ') });
}

main();
