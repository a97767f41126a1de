/**
 * The layering rules catch what they are meant to. A rule whose pattern does not match how a
 * package really resolves (node_modules/electron/index.js, better-sqlite3/lib/index.js, a type
 * import, a Node built-in, a module reached only through other modules) passes silently
 * forever; so dependency-cruiser runs here, with the project's own configuration and real
 * node_modules, over a small tree of deliberately violating files, and every rule must fire.
 * The real tree passing is `npm run lint`'s job.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
let dir: string;
let report: string;

const VIOLATIONS: Record<string, string> = {
  'src/main/services/uses-electron.ts': "import { app } from 'electron';\nexport const a = app;\n",
  'src/main/services/uses-sqlite.ts': "import type { Database } from 'better-sqlite3';\nexport type D = Database;\n",
  'src/main/services/uses-tfjs.ts': "import * as tf from '@tensorflow/tfjs';\nexport const t = tf;\n",
  'src/main/server/uses-ort.ts': "import * as ort from 'onnxruntime-node';\nexport const o = ort;\n",
  // Reaches tfjs only through an engine module, which may import it itself.
  'src/main/engine/model.ts': "import * as tf from '@tensorflow/tfjs';\nexport const m = tf;\n",
  'src/main/services/uses-engine.ts': "import { m } from '../engine/model';\nexport const e = m;\n",
  'src/shared/uses-node.ts': "import path from 'node:path';\nexport const p = path;\n",
  'src/renderer/uses-fs.ts': "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
  'src/renderer/uses-main.ts': "import { e } from '../main/services/uses-engine';\nexport const u = e;\n",
  'src/renderer/stores/one.ts': "import { two } from './two';\nexport const one = () => two;\n",
  'src/renderer/stores/two.ts': "import { one } from './one';\nexport const two = () => one;\n"
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-layering-'));
  for (const [file, text] of Object.entries(VIOLATIONS)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  copyFileSync(path.join(REPO, '.dependency-cruiser.cjs'), path.join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'junction');
  const bin = path.join(REPO, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const run = await promisify(execFile)(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs'], { cwd: dir }).catch(
    (err: { stdout: string; code: number }) => err
  );
  report = run.stdout;
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The violations reported under a rule, as "from → to" lines. */
function reported(rule: string): string[] {
  return report
    .split('\n')
    .filter((line) => line.includes(`error ${rule}:`))
    .map((line) => line.replace(/^.*error [^:]+: /, '').trim());
}

describe('layering rules', () => {
  it("'electron' outside the shell", () => {
    expect(reported('electron-only-in-shell')).toEqual([
      expect.stringMatching(/^src\/main\/services\/uses-electron\.ts → .*node_modules\/electron\/index\.js$/)
    ]);
  });

  it('better-sqlite3 outside src/main/db, a type import included', () => {
    expect(reported('sqlite-only-in-db')).toEqual([
      expect.stringMatching(/^src\/main\/services\/uses-sqlite\.ts → .*node_modules\/better-sqlite3\/lib\/index\.js$/)
    ]);
  });

  it('tfjs and ONNX Runtime imported outside engine/ and worker/', () => {
    expect(reported('compute-only-in-engine-and-worker').sort()).toEqual([
      expect.stringMatching(/^src\/main\/server\/uses-ort\.ts → .*node_modules\/onnxruntime-node\//),
      expect.stringMatching(/^src\/main\/services\/uses-tfjs\.ts → .*node_modules\/@tensorflow\/tfjs\//)
    ]);
  });

  it('the main side reaching compute through other modules', () => {
    const lines = reported('main-side-never-reaches-compute');
    expect(lines).toContainEqual(expect.stringMatching(/^src\/main\/services\/uses-engine\.ts → .*node_modules\/@tensorflow\/tfjs\//));
    expect(lines.some((l) => l.startsWith('src/main/engine/'))).toBe(false);
  });

  it('Node built-ins in src/shared and the renderer, and the renderer importing the main side', () => {
    expect(reported('shared-imports-nothing-platform')).toEqual(['src/shared/uses-node.ts → path']);
    expect(reported('renderer-no-node')).toEqual(['src/renderer/uses-fs.ts → fs']);
    expect(reported('renderer-only-shared')).toEqual(['src/renderer/uses-main.ts → src/main/services/uses-engine.ts']);
  });

  it('import cycles', () => {
    expect(reported('no-circular').length).toBeGreaterThan(0);
    expect(report).toMatch(/src\/renderer\/stores\/one\.ts →\s+src\/renderer\/stores\/two\.ts →\s+src\/renderer\/stores\/one\.ts/);
  });
});
