/**
 * The serve-mode server process never loads TensorFlow.js or ONNX Runtime: the real server
 * entry (src/main/server/main.ts under tsx, as `npm run serve` starts it) with a module hook
 * (test/helpers/record-modules.mjs) that records every module it resolves, while it answers
 * engine:status, models:backbones, models:import-weights, training:start and training:predict
 * over HTTP. The training processes it starts load the engine; it does not. A control run of
 * the same hook over the engine shows the hook does see tfjs when it is loaded.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackboneStatus, BackendInfo, PredictionFinished, TrainingFinished } from '../../../src/shared/dto';
import { REPO_ROOT } from '../../helpers/serve';
import { randomVggWeights, writeVggH5 } from '../../unit/engine/fixtures';
import { TM_BASE } from '../training/project-fixture';
import { drawSyntheticPhotos, drawUnlabeledPhotos } from '../training/synthetic-photos';
import { invokeOverHttp } from './fixtures';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const HOOK = path.join(REPO_ROOT, 'test/helpers/record-modules.mjs');
const COMPUTE = /@tensorflow\/|onnxruntime/;

let dir: string;
let record: string;
let server: ChildProcess;
let port: number;
let token: string;
const events: { event: string; data: unknown }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-no-compute-'));
  record = path.join(dir, 'modules.txt');
  const args = ['--import', TSX, '--import', HOOK, path.join(REPO_ROOT, 'src/main/server/main.ts')];
  server = spawn(process.execPath, [...args, '--json', '--project', path.join(dir, 'p.tstudio'), '--user-data', path.join(dir, 'user')], {
    cwd: REPO_ROOT,
    env: { ...process.env, TS_RECORD_MODULES: record },
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  ({ port, token } = JSON.parse(line) as { port: number; token: string });
  listen();
}, 180_000);
afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** Collects every server-sent event. */
function listen(): void {
  const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { Authorization: `Bearer ${token}` } }, (res) => {
    let buffer = '';
    res.on('data', (c: Buffer) => {
      buffer += c.toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.end();
}

async function invoke<T>(channel: string, body: unknown): Promise<T> {
  const res = await invokeOverHttp(port, token, channel, body);
  const envelope = res.json() as { ok: boolean; data: T; error?: unknown };
  if (!envelope.ok) throw new Error(`${channel}: ${JSON.stringify(envelope.error)}`);
  return envelope.data;
}

async function nextEvent<T>(name: string, match: (data: T) => boolean): Promise<T> {
  let found: T | undefined;
  await expect
    .poll(
      () => {
        found = events.find((e) => e.event === name && match(e.data as T))?.data as T | undefined;
        return found !== undefined;
      },
      { timeout: 240_000, interval: 250 }
    )
    .toBe(true);
  return found as T;
}

function recorded(): string[] {
  return readFileSync(record, 'utf8').split('\n').filter(Boolean);
}

describe('the serve-mode server process', () => {
  it('answers engine:status, models:backbones and models:import-weights from training-process jobs', async () => {
    const info = await invoke<BackendInfo>('engine:status', {});
    expect(info.label).toMatch(/WebAssembly|TensorFlow native|JavaScript/);
    expect((await invoke<BackboneStatus[]>('models:backbones', {})).map((b) => b.id)).toContain('vgg16');
    const weights = path.join(dir, 'my-vgg16.h5');
    await writeVggH5(weights, randomVggWeights('vgg16', 3), { naming: 'old' });
    expect(await invoke<BackboneStatus>('models:import-weights', { backboneId: 'vgg16', path: weights })).toMatchObject({ ready: true });
  }, 240_000);

  it('trains, then re-predicts (answered at once, ended by events)', async () => {
    await drawSyntheticPhotos(path.join(dir, 'shapes'), { perClass: 6, valPerClass: 3 });
    await drawUnlabeledPhotos(path.join(dir, 'inbox'), 4);
    await invoke('folders:add', { path: path.join(dir, 'shapes'), classesFromFolders: true });
    await invoke('folders:add', { path: path.join(dir, 'inbox') });
    const { runId } = await invoke<{ runId: number }>('training:start', {
      backboneId: 'mobilenet_v2',
      weightsPath: TM_BASE,
      inputSize: 96
    });
    expect(await nextEvent<TrainingFinished>('training:finished', (f) => f.runId === runId)).toMatchObject({ status: 'completed' });
    expect(await invoke('training:predict', { runId })).toEqual({ runId });
    expect(await nextEvent<PredictionFinished>('predictions:finished', (f) => f.runId === runId)).toMatchObject({
      status: 'completed',
      predictions: 4
    });
  }, 300_000);

  it('never resolved @tensorflow/* or onnxruntime-node meanwhile', () => {
    const lines = recorded();
    // The hook saw the server's own modules, so it was recording.
    expect(lines.some((l) => l.includes('better-sqlite3'))).toBe(true);
    expect(lines.some((l) => l.includes('src/main/services/training.ts'))).toBe(true);
    expect(lines.filter((l) => COMPUTE.test(l))).toEqual([]);
  });
});

describe('the module hook', () => {
  it('does record tfjs in a process that loads the engine', async () => {
    const control = path.join(dir, 'control.txt');
    const script = `await import(${JSON.stringify(pathToFileURL(path.join(REPO_ROOT, 'src/main/engine/backend.ts')).href)})`;
    await promisify(execFile)(process.execPath, ['--import', TSX, '--import', HOOK, '--input-type=module', '-e', script], {
      env: { ...process.env, TS_RECORD_MODULES: control }
    });
    expect(readFileSync(control, 'utf8')).toMatch(/@tensorflow\/tfjs/);
  }, 60_000);
});
