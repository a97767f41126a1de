/**
 * `embed` as a person runs it (a real process): features through ONNX Runtime, exact against a
 * naive VGG for `--pool none`, and the same features from tfjs when ONNX Runtime is turned off.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomVggWeights, writeVggH5 } from '../../unit/engine/fixtures';
import { convSameRelu, maxPool2, relativeError, type Feature } from '../../unit/engine/naive-ops';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');
const SHARED = path.resolve(REPO, '../shared');
const TSX = path.join(REPO, 'node_modules/.bin/tsx');
const CLI = path.join(REPO, 'src/main/cli/index.ts');
const TM = path.join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'embed-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ants(n: number): string[] {
  const d = path.join(SHARED, 'datasets/hymenoptera/val/ants');
  return readdirSync(d)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, n)
    .map((f) => path.join(d, f));
}

type Line = Record<string, unknown> & { data?: number[]; shape?: number[] };

async function embed(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Line[]> {
  const { stdout } = await run(TSX, [CLI, 'embed', '--user-data', dir, '--json', ...args], { cwd: REPO, env: { ...process.env, ...env } });
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
}

describe('embed CLI', { timeout: 120_000 }, () => {
  it('prints one embedding line per image and a result line naming ONNX Runtime', async () => {
    const images = ants(2);
    const lines = await embed(['--backbone', 'mobilenet_v2', '--weights', TM, ...images]);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ type: 'embedding', path: images[0], shape: [1280] });
    expect(lines[0].data).toHaveLength(1280);
    expect(lines[2]).toMatchObject({ type: 'result', backend: 'onnxruntime', runtime: 'onnxruntime', provider: 'cpu', device: 'cpu' });
    expect(lines[2].label).toMatch(/^ONNX Runtime · CPU \(\d+ threads?\)$/);
    expect(lines[2].timings).toHaveProperty('decodeMs');
  });

  it('--pool none gives the unpooled [h,w,C] map, row-major', async () => {
    const [first] = await embed(['--backbone', 'mobilenet_v2', '--weights', TM, '--size', '64', '--pool', 'none', ...ants(1)]);
    expect(first.shape).toEqual([2, 2, 1280]);
    expect(first.data).toHaveLength(2 * 2 * 1280);
  });

  it('VGG16 --pool none equals a naive conv/relu/pool network on the decoded photo', async () => {
    const weights = randomVggWeights('vgg16', 21);
    const file = path.join(dir, 'vgg16.h5');
    await writeVggH5(file, weights, { naming: 'old' });
    const photo = path.join(dir, 'photo.png');
    const rgb = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 37) % 256);
    await sharp(rgb, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(photo);
    const [line, result] = await embed(['--backbone', 'vgg16', '--weights', file, '--size', '32', '--pool', 'none', photo]);
    expect(result.backend).toBe('onnxruntime');
    const means = [103.939, 116.779, 123.68];
    let x: Feature = { h: 32, w: 32, c: 3, data: new Float32Array(rgb.length) };
    for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) x.data[p * 3 + c] = rgb[p * 3 + (2 - c)] - means[c];
    weights.forEach((l, i) => {
      x = convSameRelu(x, l.kernel, l.bias, l.kernelShape[3]);
      if (weights[i + 1]?.layer.slice(0, 6) !== l.layer.slice(0, 6)) x = maxPool2(x);
    });
    expect(line.shape).toEqual([1, 1, 512]);
    expect(relativeError(line.data as number[], x.data)).toBeLessThan(1e-4);
  });

  it('with ONNX Runtime turned off, tfjs computes the same features and says why', async () => {
    const args = ['--backbone', 'mobilenet_v2', '--weights', TM, '--size', '96', ...ants(2)];
    const [onnx, fallback] = await Promise.all([embed(args), embed(args, { TS_INFERENCE_RUNTIME: 'tfjs' })]);
    expect(fallback[2]).toMatchObject({
      backend: 'wasm',
      runtime: 'tfjs',
      unavailable: [{ name: 'onnxruntime', reason: 'turned off (TS_INFERENCE_RUNTIME=tfjs)' }]
    });
    expect(fallback[2].label).toMatch(/^TensorFlow\.js · CPU · WebAssembly/);
    for (const i of [0, 1]) expect(relativeError(fallback[i].data as number[], onnx[i].data as number[])).toBeLessThan(1e-4);
  });

  it('exits non-zero with a clear message for a bad weights file', async () => {
    const err = await embed(['--backbone', 'vgg16', '--weights', CLI, ...ants(1)]).catch((e: unknown) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/error: .*is not an HDF5 file/);
  });
});
