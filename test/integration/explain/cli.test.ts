/**
 * `filters` and `explain` as a user runs them: child processes of the real CLI entry, --json
 * lines on stdout, PNGs on disk that decode, and clear errors with exit code 1.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/db/database';
import { finishRunUnsuccessfully, insertRun } from '../../../src/main/db/training-repository';
import { initBackend } from '../../../src/main/engine/index';
import { refineTopBlock, saveClassifier } from '../../helpers/saved-classifier';
import { REPO_ROOT, TM_BASE } from '../training/project-fixture';
import { drawQuadrantPhotos, type QuadrantPhoto } from './quadrant-photos';

const execFileAsync = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules/.bin/tsx');
const CLI = path.join(REPO_ROOT, 'src/main/cli/index.ts');

type Line = Record<string, unknown>;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-explain-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface CliOutcome {
  code: number;
  lines: Line[];
  stderr: string;
}

/** Runs the CLI; a non-zero exit is an outcome to check, not a throw. */
async function cli(args: string[]): Promise<CliOutcome> {
  const parse = (stdout: string) =>
    stdout
      .trim()
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Line);
  try {
    const { stdout, stderr } = await execFileAsync(TSX, [CLI, ...args], { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
    return { code: 0, lines: parse(stdout), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, lines: parse(e.stdout), stderr: e.stderr };
  }
}

describe('cli filters', { timeout: 300_000 }, () => {
  const base = ['filters', '--backbone', 'mobilenet_v2', '--weights', TM_BASE];

  it('writes one PNG per filter and prints a line per filter, then the result', async () => {
    const out = path.join(dir, 'filters');
    const userData = path.join(dir, 'user-data');
    const args = [...base, '--layer', 'block_1_expand', '--filters', '0-2', '--size', '64', '--steps', '3', '--out', out];
    const { code, lines } = await cli([...args, '--user-data', userData, '--json']);
    expect(code).toBe(0);
    const filters = lines.filter((l) => l.type === 'filter');
    expect(lines.every((l) => ['progress', 'filter', 'result'].includes(l.type as string))).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      type: 'result',
      backend: 'wasm',
      layer: 'block_1_expand',
      size: 64,
      filters: 3,
      cached: 0,
      weights: { model: null, refinedLayers: [] }
    });
    expect(filters.map((f) => f.index)).toEqual([0, 1, 2]);
    for (const f of filters) {
      expect(f).toMatchObject({ layer: 'block_1_expand', activationStart: expect.any(Number), activationEnd: expect.any(Number) });
      expect(await sharp(f.file as string).metadata()).toMatchObject({ format: 'png', width: 64, height: 64 });
    }
    const again = await cli([...args, '--user-data', userData, '--json']);
    expect(again.lines.at(-1)).toMatchObject({ filters: 3, cached: 3 });
  });

  it('refuses an unknown layer with exit code 1, listing the conv layers', async () => {
    const { code, stderr, lines } = await cli([...base, '--layer', 'block_1_expnad', '--out', path.join(dir, 'nope'), '--json']);
    expect(code).toBe(1);
    expect(lines).toEqual([]);
    expect(stderr).toMatch(/error: mobilenet_v2 has no layer named "block_1_expnad"\. Conv layers: Conv1 \(16\), .*block_1_expand \(48\)/);
  });

  it('lists the conv layers with --list-layers', async () => {
    const { code, lines } = await cli([...base, '--size', '64', '--list-layers', '--json']);
    expect(code).toBe(0);
    const layers = (lines[0] as { layers: { name: string; filters: number }[] }).layers;
    expect(layers[0]).toMatchObject({ name: 'Conv1', filters: 16, height: 32, width: 32 });
    expect(layers.map((l) => l.name)).toContain('block_16_depthwise');
  });

  it("shows a trained model's own network with --model, marks the layers fine-tuning changed, and refuses a damaged folder", async () => {
    await initBackend();
    const refined = await saveClassifier(dir, 'refined-model', [96], (b) => refineTopBlock(b, 'block_16_project'));
    const listed = await cli([...base, '--model', refined, '--size', '64', '--list-layers', '--json']);
    expect(listed.code).toBe(0);
    const layers = (listed.lines[0] as { layers: { name: string; refined: boolean }[] }).layers;
    expect(layers.filter((l) => l.refined).map((l) => l.name)).toEqual([
      'block_16_expand',
      'block_16_depthwise',
      'block_16_project',
      'Conv_1'
    ]);

    const out = path.join(dir, 'refined-filters');
    const oneFilter = ['--layer', 'block_16_project', '--filters', '0', '--size', '64', '--steps', '2', '--json'];
    const pretrained = await cli([...base, ...oneFilter, '--out', path.join(dir, 'pre')]);
    const refinedRun = await cli([...base, '--model', refined, ...oneFilter, '--out', out]);
    expect(refinedRun.lines.at(-1)).toMatchObject({
      weights: { model: refined, refinedLayers: expect.arrayContaining(['block_16_project']) }
    });
    const activation = (o: CliOutcome) => o.lines.find((l) => l.type === 'filter')?.activationEnd;
    expect(activation(refinedRun)).not.toBe(activation(pretrained));

    truncateSync(path.join(refined, 'weights.bin'), 1000);
    const damaged = await cli([...base, '--model', refined, '--layer', 'block_16_project', '--out', out, '--json']);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(refined);
    expect(damaged.stderr).toMatch(/missing or damaged/);
  });
});

describe('cli explain', { timeout: 600_000 }, () => {
  const project = () => path.join(dir, 'quadrants.tstudio');
  let tests: QuadrantPhoto[];
  let runId: number;

  beforeAll(async () => {
    const photos = await drawQuadrantPhotos(path.join(dir, 'photos'), { perClass: 10, valPerClass: 0, size: 96 });
    tests = photos.filter((p) => p.split === 'test');
    const userData = ['--user-data', path.join(dir, 'user-data'), '--json'];
    expect(
      (await cli(['import', path.join(dir, 'photos', 'train'), '--project', project(), '--classes-from-folders', ...userData])).code
    ).toBe(0);
    const trained = await cli([
      'train',
      '--project',
      project(),
      '--backbone',
      'mobilenet_v2',
      '--weights',
      TM_BASE,
      '--size',
      '96',
      '--epochs',
      '10',
      '--seed',
      '3',
      ...userData
    ]);
    expect(trained.code).toBe(0);
    runId = trained.lines.at(-1)?.runId as number;
  }, 600_000);

  const explain = (...args: string[]) => cli(['explain', '--project', project(), '--user-data', path.join(dir, 'user-data'), ...args]);

  it('writes an overlay PNG per image and a line per image with the raw map, then the result', async () => {
    const out = path.join(dir, 'cams');
    const images = tests.slice(0, 3).map((t) => t.path);
    const { code, lines } = await explain('--run', String(runId), '--out', out, '--json', ...images);
    expect(code).toBe(0);
    const explained = lines.filter((l) => l.type === 'explanation');
    expect(explained.map((l) => l.path)).toEqual(images);
    for (const line of explained) {
      expect(['red', 'blue']).toContain(line.predicted);
      expect(line.confidence as number).toBeGreaterThanOrEqual(0.5);
      const cam = line.cam as number[][];
      expect(cam.map((row) => row.length)).toEqual([3, 3, 3]); // 96 px → MobileNetV2's 3×3 map
      expect(cam.flat().every((v) => v >= 0)).toBe(true);
      expect(await sharp(line.file as string).metadata()).toMatchObject({ format: 'png', width: 448, height: 448 });
    }
    expect(lines.at(-1)).toMatchObject({ type: 'result', runId, explained: 3, failed: 0, camLayer: 'out_relu', inputSize: 96 });
  });

  it('explains the class asked for, and gives a second photo of the same name its own file', async () => {
    const out = path.join(dir, 'cams-blue');
    const copy = path.join(dir, 'elsewhere', path.basename(tests[0].path));
    mkdirSync(path.dirname(copy), { recursive: true });
    copyFileSync(tests[0].path, copy);
    const { code, lines } = await explain(
      '--run',
      String(runId),
      '--out',
      out,
      '--class',
      'blue',
      '--size',
      '128',
      '--json',
      tests[0].path,
      copy
    );
    expect(code).toBe(0);
    const explained = lines.filter((l) => l.type === 'explanation');
    expect(explained.map((l) => l.class)).toEqual(['blue', 'blue']);
    expect(new Set(explained.map((l) => l.file)).size).toBe(2);
    expect(explained.every((l) => existsSync(l.file as string))).toBe(true);
  });

  it('sets an unreadable image aside, writes the others, and exits 1', async () => {
    const broken = path.join(dir, 'broken.jpg');
    writeFileSync(broken, 'not a jpeg');
    const { code, lines, stderr } = await explain(
      '--run',
      String(runId),
      '--out',
      path.join(dir, 'cams-2'),
      '--json',
      broken,
      tests[1].path
    );
    expect(code).toBe(1);
    expect(lines.map((l) => l.type)).toEqual(['skipped', 'explanation', 'result']);
    expect(lines[0]).toMatchObject({ path: broken, reason: expect.stringContaining('Cannot read image') });
    expect(stderr).toContain('1 photo(s) could not be read');
  });

  it('says clearly when the run does not exist, has no model, or has no such class', async () => {
    const out = ['--out', path.join(dir, 'cams-3'), tests[0].path];
    const unknown = await explain('--run', '999', ...out);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: Run 999 does not exist.');
    const db = openDatabase(project(), { mustExist: true });
    const cancelled = insertRun(db, { config: {}, backboneId: 'mobilenet_v2', classes: [] });
    finishRunUnsuccessfully(db, cancelled, 'cancelled', null);
    db.close();
    const noModel = await explain('--run', String(cancelled), ...out);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain(`error: Run ${cancelled} has no saved model (status cancelled).`);
    const badClass = await explain('--run', String(runId), '--class', 'green', ...out);
    expect(badClass.code).toBe(1);
    expect(badClass.stderr).toMatch(/error: Run \d+ has no class "green"\. Its classes: (red, blue|blue, red)\./);
  });
});
