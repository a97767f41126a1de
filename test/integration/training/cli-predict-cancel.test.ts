/**
 * `predict` on the command line, interrupted: Ctrl-C stops the prediction process, the command
 * says the previous suggestions are kept and exits non-zero, and they really are unchanged. Real
 * CLI child processes (tsx) on a real project trained in this process.
 *
 * No timing is asserted. The SIGINT goes out once the command has said it is predicting, which
 * it says after the prediction process was started; loading tfjs and the model there takes
 * seconds, so the interrupt arrives while it predicts.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainingProject, finishedRun, REPO_ROOT, TM_BASE, type TrainingProject } from './project-fixture';

const DRIVER = path.join(REPO_ROOT, 'test/integration/training/cli-driver.ts');
// `node --import tsx`, not the tsx binary: the binary relays a signal to the command and, when the
// command has not acknowledged it within 30 ms (a loaded machine), SIGKILLs it, which would
// make this test about tsx rather than the command.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let p: TrainingProject;
let runId: number;

beforeAll(async () => {
  p = await createTrainingProject();
  runId = (
    await p.handlers['training:start']({
      backboneId: 'mobilenet_v2',
      weightsPath: TM_BASE,
      inputSize: 96,
      fineTune: false,
      seed: 42,
      head: 'gap',
      headTraining: 'logistic-cv'
    })
  ).runId;
  expect((await finishedRun(p.events, runId)).status).toBe('completed');
  // One suggestion turned down: a re-predict that completed would store that photo's prediction again.
  const [first] = (await p.handlers['predictions:list']({ order: 'least-certain', offset: 0, limit: 1 })).items;
  await p.handlers['predictions:reject']({ photoIds: [first.photoId] });
}, 180_000);
afterAll(() => p.cleanup());

function storedPredictions(): unknown[] {
  return p.session.db
    .prepare('SELECT photo_id, class_id, confidence, probs FROM training_predictions WHERE run_id = ? ORDER BY photo_id')
    .all(runId);
}

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `predict` in its own process group and sends SIGINT once it says it is predicting: to the
 * whole group, as a terminal's Ctrl-C does (the prediction process gets it too), or to the
 * command alone, as `kill -INT` does.
 */
function predictAndInterrupt(target: 'group' | 'command', extraArgs: string[] = []): Promise<Interrupted> {
  const args = [
    DRIVER,
    'predict',
    '--project',
    path.join(p.dir, 'project.tstudio'),
    '--user-data',
    path.join(p.dir, 'user-data'),
    ...extraArgs
  ];
  const child = spawn(process.execPath, ['--import', TSX_LOADER, ...args], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const out = { stdout: '', stderr: '' };
  let sent = false;
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString();
    if (!sent && out.stderr.includes('(Ctrl-C cancels)')) {
      sent = true;
      process.kill(target === 'group' ? -child.pid! : child.pid!, 'SIGINT');
    }
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, ...out })));
}

describe('cli predict, interrupted', () => {
  it('Ctrl-C (SIGINT to the whole process group) cancels: non-zero exit, a clear message, the previous suggestions kept', async () => {
    const before = storedPredictions();
    expect(before).toHaveLength(5);
    const result = await predictAndInterrupt('group');
    expect(result.stderr).toContain('Predicting the unlabeled photos with the active model… (Ctrl-C cancels)');
    expect(result.stderr).toContain('error: Predicting was cancelled (Ctrl-C); the previous suggestions are kept.');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(storedPredictions()).toEqual(before);
  }, 120_000);

  it('SIGINT to the command alone stops the prediction process through a cancel, with the same outcome', async () => {
    const before = storedPredictions();
    const result = await predictAndInterrupt('command', ['--run', String(runId)]);
    expect(result.stderr).toContain(`Predicting the unlabeled photos with run ${runId}'s model… (Ctrl-C cancels)`);
    expect(result.stderr).toContain('error: Predicting was cancelled (Ctrl-C); the previous suggestions are kept.');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(storedPredictions()).toEqual(before);
  }, 120_000);
});
