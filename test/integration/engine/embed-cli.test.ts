import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');
const SHARED = path.resolve(REPO, '../shared');
const TSX = path.join(REPO, 'node_modules/.bin/tsx');
const CLI = path.join(REPO, 'src/main/cli/index.ts');
const TM = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');

function ants(n: number): string[] {
  const d = path.join(SHARED, 'datasets/hymenoptera/val/ants');
  return readdirSync(d)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, n)
    .map((f) => path.join(d, f));
}

describe('embed CLI', { timeout: 120_000 }, () => {
  it('prints one embedding line per image and a result line with --json', async () => {
    const images = ants(2);
    const { stdout } = await run(TSX, [CLI, 'embed', '--backbone', 'mobilenet_v2', '--weights', TM, '--json', ...images], { cwd: REPO });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ type: 'embedding', path: images[0], shape: [1280] });
    expect((lines[0].data as number[]).length).toBe(1280);
    expect(lines[2]).toMatchObject({ type: 'result', backend: 'wasm' });
    expect(lines[2].timings).toHaveProperty('decodeMs');
  });

  it('--pool none gives the unpooled [h,w,C] map, row-major', async () => {
    const { stdout } = await run(
      TSX,
      [CLI, 'embed', '--backbone', 'mobilenet_v2', '--weights', TM, '--size', '64', '--pool', 'none', '--json', ...ants(1)],
      { cwd: REPO }
    );
    const first = JSON.parse(stdout.split('\n')[0]) as { shape: number[]; data: number[] };
    expect(first.shape).toEqual([2, 2, 1280]);
    expect(first.data).toHaveLength(2 * 2 * 1280);
  });

  it('exits non-zero with a clear message for a bad weights file', async () => {
    const err = await run(TSX, [CLI, 'embed', '--backbone', 'vgg16', '--weights', CLI, ...ants(1)], { cwd: REPO }).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/error: .*is not an HDF5 file/);
  });
});
