/**
 * The command line as a user runs it (`npm run cli` = tsx src/main/cli/index.ts), on a folder
 * of JPEGs made by sharp: --json output is JSON lines only, ending in one result; failures exit
 * 1 with one clear line on stderr.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/serve';
import { writeJpeg, writePhotoTree } from '../server/fixtures';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/index.ts', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    const run: Run = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (c: Buffer) => (run.stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (run.stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ...run, code }));
  });
}

let dir: string;
let common: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tstudio-cli-'));
  const photos = join(dir, 'my photos');
  await writePhotoTree(join(photos, 'train'), { cats: 3, dogs: 2 });
  await writeJpeg(join(photos, 'val', 'dogs', 'ünïcode name.jpg'), [1, 2, 3]);
  common = ['--project', join(dir, 'p.tstudio'), '--user-data', join(dir, 'user')];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli import --json', () => {
  let run: Run;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    run = await runCli(['import', join(dir, 'my photos'), '--classes-from-folders', '--json', ...common]);
    lines = run.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  });

  it('exits 0 and prints only JSON lines: progress, then one result last', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(0, -1).every((l) => l.type === 'progress')).toBe(true);
    expect(lines.filter((l) => l.type === 'result')).toHaveLength(1);
    expect(lines.at(-1)?.type).toBe('result');
  });

  it('reports photos, classes, splits and the skipped text file in the result', () => {
    const result = lines.at(-1)!;
    expect(result).toMatchObject({ photos: 6, classes: { cats: 3, dogs: 3 }, splits: { train: 5, val: 1 } });
    const skipped = result.skipped as { path: string; reason: string }[];
    expect(skipped.map((s) => s.path)).toContain(join(dir, 'my photos', 'train', 'not-a-photo.jpg'));
    expect(skipped.every((s) => s.reason.length > 0)).toBe(true);
  });

  it('progress lines carry phase, done, total and the current path', () => {
    const progress = lines.find((l) => l.type === 'progress')!;
    expect(progress).toMatchObject({
      phase: expect.any(String),
      done: expect.any(Number),
      total: expect.any(Number),
      currentPath: expect.any(String)
    });
  });
});

describe('cli classes and stats', () => {
  it('classes --json prints one result with the classes and their counts', async () => {
    const run = await runCli(['classes', '--json', ...common]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]) as { type: string; classes: { name: string; count: number }[] };
    expect(result.type).toBe('result');
    expect(Object.fromEntries(result.classes.map((c) => [c.name, c.count]))).toEqual({ cats: 3, dogs: 3 });
  });

  it('stats without --json prints a readable summary', async () => {
    const run = await runCli(['stats', ...common]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/photos:\s+6/);
    expect(run.stdout).toMatch(/cats 3, dogs 3/);
  });
});

describe('cli models list', () => {
  it('shows the bundled backbone ready, and what a cut-off download in the app left for another', async () => {
    const user = join(dir, 'models-user');
    mkdirSync(join(user, 'models', 'vgg16'), { recursive: true });
    writeFileSync(join(user, 'models', 'vgg16', 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5.part'), Buffer.alloc(12_345_678));
    const run = await runCli(['models', 'list', '--user-data', user]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.find((l) => l.includes('mobilenet_v2_035'))).toMatch(/^✓ mobilenet_v2_035 .*model\.json$/);
    expect(lines.find((l) => l.includes('vgg16'))).toBe(
      '· vgg16              VGG16 (ImageNet)  (12 of 59 MB downloaded in the app: Train › Advanced or "models fetch vgg16" resumes it)'
    );
    const json = await runCli(['models', 'list', '--user-data', user, '--json']);
    const vgg = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((b) => b.id === 'vgg16');
    expect(vgg).toMatchObject({ type: 'backbone', ready: false, partialBytes: 12_345_678 });
  });
});

describe('cli models fetch', () => {
  it('continues what a cut-off download in the app left, and models list then names its own part', async () => {
    const models = join(dir, 'fetch-models');
    mkdirSync(join(models, 'vgg16'), { recursive: true });
    writeFileSync(join(models, 'vgg16', 'manifest.json'), readFileSync(join(REPO_ROOT, 'resources/models/vgg16/manifest.json')));
    const user = join(dir, 'fetch-user');
    const file = 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5.part';
    mkdirSync(join(user, 'models', 'vgg16'), { recursive: true });
    writeFileSync(join(user, 'models', 'vgg16', file), Buffer.alloc(12_345_678));
    // Nothing listens on port 9 here: the download itself fails, after the part has moved.
    const dirs = ['--models-dir', models, '--user-data', user];
    const run = await runCli(['models', 'fetch', 'vgg16', ...dirs, '--url', 'http://127.0.0.1:9/vgg16.h5', '--timeout', '2000']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Continuing the download the app left (12 MB).');
    expect(run.stderr).toMatch(/Cannot download/);
    expect(existsSync(join(user, 'models', 'vgg16', file))).toBe(false);
    expect(readFileSync(join(models, 'vgg16', file)).length).toBe(12_345_678);
    const list = await runCli(['models', 'list', ...dirs]);
    expect(list.stdout).toContain('· vgg16              VGG16 (ImageNet)  (12 of 59 MB downloaded: "models fetch vgg16" resumes it)');
  });
});

describe('cli failures', () => {
  it('a missing folder exits 1 with one clear line on stderr and nothing on stdout', async () => {
    const missing = join(dir, 'no such folder');
    const run = await runCli(['import', missing, '--json', ...common]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`Folder does not exist: ${missing}`);
  });

  it('stats on a project file that does not exist says so and creates nothing', async () => {
    const missing = join(dir, 'tpyo.tstudio');
    const run = await runCli(['stats', '--project', missing, '--user-data', join(dir, 'user')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`Project file ${missing} does not exist`);
    expect(existsSync(missing)).toBe(false);
  });

  it('a text file given as the project exits 1 naming it as not a project, and is left as it was', async () => {
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\n');
    const run = await runCli(['classes', '--project', text, '--user-data', join(dir, 'user')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not a Transfer Studio project');
    expect(readFileSync(text, 'utf8')).toBe('hello\n');
  });

  it('an unknown command exits 1', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown command/i);
  });
});
