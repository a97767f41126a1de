/**
 * WorkerJob, the one owner of a training-process job's life, against real processes: small
 * stand-in workers (plain .mjs scripts speaking the protocol) that misbehave in the ways a real
 * one can. Also the utilityProcess strategy ending a job on Electron's 'child-process-gone',
 * over a stand-in for Electron's utilityProcess that forks a real process.
 */
import { fork } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  forkStrategy,
  utilityProcessStrategy,
  type ChildProcessGoneDetails,
  type SpawnStrategy,
  type UtilityProcessLike
} from '../../../src/main/worker/launcher';
import { WorkerJob, type WorkerJobSpec } from '../../../src/main/worker/worker-job';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-worker-job-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in worker: `onJob` is the body of its message handler, with `msg` and `send`. */
function worker(name: string, onMessage: string, prelude = ''): SpawnStrategy {
  const entry = path.join(dir, `${name}.mjs`);
  writeFileSync(
    entry,
    `const send = (m) => process.send(m);\n${prelude}\nprocess.on('message', (msg) => { ${onMessage} });\nsetInterval(() => {}, 1000);\n`
  );
  return forkStrategy({ entry });
}

const PROGRESS = {
  type: 'progress',
  progress: {
    ...{ phase: 'loading', done: 0, total: 1, epoch: null, epochs: null, batchLoss: null, batchAcc: null, epochMetrics: null },
    ...{ imagesPerSec: null, elapsedMs: 0, etaMs: null, note: null }
  }
};
const PROBED = { type: 'probed', info: { backend: 'wasm', device: 'cpu', label: 'CPU · WebAssembly', unavailable: [] } };

function probeJob(spawn: SpawnStrategy, extra: Partial<WorkerJobSpec<string>> = {}): WorkerJob<string> {
  return new WorkerJob<string>({
    name: 'backend probe',
    retry: 'try again',
    request: { type: 'probe', backend: 'auto' },
    spawn,
    graceMs: 300,
    onResult: (msg) => (msg.type === 'probed' ? msg.info.backend : 'other'),
    ...extra
  });
}

function isGone(pid: number | undefined): boolean {
  try {
    process.kill(pid as number, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

describe('WorkerJob', () => {
  it('completes with the value of the result and resolves only once the process is gone (a lingering one is killed)', async () => {
    // Answers, then hangs on instead of exiting.
    const job = probeJob(worker('linger', `if (msg.type === 'probe') send(${JSON.stringify(PROBED)});`));
    const outcome = await job.done;
    expect(outcome).toEqual({ status: 'completed', value: 'wasm' });
    expect(isGone(job.pid)).toBe(true);
  });

  it('fails the job and kills the process when a message breaks the protocol, and keeps nothing after it', async () => {
    const results: string[] = [];
    const job = probeJob(
      worker('invalid', `send({ type: 'progress', progress: { phase: 'nowhere' } }); send(${JSON.stringify(PROBED)});`),
      { onResult: (msg) => (results.push(msg.type), 'kept') }
    );
    const outcome = await job.done;
    expect(outcome).toMatchObject({ status: 'failed', code: 'TRAINING_FAILED' });
    expect(outcome.status === 'failed' && outcome.message).toMatch(
      /^The backend probe process sent an invalid message: 'progress': progress\.phase.*Nothing from it was kept; try again\.$/
    );
    expect(results).toEqual([]);
    expect(isGone(job.pid)).toBe(true);
  });

  it('on cancel, asks the process to stop and kills it after the grace period when it does not; a late result is dropped', async () => {
    const progress: unknown[] = [];
    const job = probeJob(
      // Ignores cancel; keeps reporting and finally answers anyway.
      worker(
        'stubborn',
        `if (msg.type === 'cancel') setTimeout(() => { send(${JSON.stringify(PROGRESS)}); send(${JSON.stringify(PROBED)}); }, 50);`
      ),
      { onProgress: (p) => progress.push(p) }
    );
    expect(job.cancel()).toBe(true);
    expect(job.cancel()).toBe(false);
    expect(job.cancelling).toBe(true);
    const outcome = await job.done;
    expect(outcome).toEqual({ status: 'cancelled' });
    expect(progress).toEqual([]);
    expect(isGone(job.pid)).toBe(true);
  });

  it('a process that exits without an outcome fails the job with the end of its stderr', async () => {
    const job = probeJob(worker('crash', `process.stderr.write('first line\\nout of cheese\\n'); process.exit(3);`));
    const outcome = await job.done;
    expect(outcome).toEqual({
      status: 'failed',
      code: 'TRAINING_FAILED',
      message: 'The backend probe process exited with code 3 before finishing. first line out of cheese'
    });
  });

  it('an error the process reports is the outcome, with its code', async () => {
    const job = probeJob(worker('refuses', `send({ type: 'error', code: 'WEIGHTS_INVALID', message: 'not weights' }); process.exit(1);`));
    expect(await job.done).toEqual({ status: 'failed', code: 'WEIGHTS_INVALID', message: 'not weights' });
  });

  it('a spawn that throws fails the job at once, saying what to do', async () => {
    const job = probeJob(() => {
      throw new Error('spawn ENOENT');
    });
    expect(await job.done).toEqual({
      status: 'failed',
      code: 'TRAINING_FAILED',
      message: 'The backend probe process could not be started (spawn ENOENT). Check the installation, then try again.'
    });
  });

  it('a result it cannot record fails the job and kills the process', async () => {
    const job = probeJob(worker('unrecordable', `send(${JSON.stringify(PROBED)});`), {
      onResult: () => {
        throw new Error('disk full');
      }
    });
    const outcome = await job.done;
    expect(outcome).toMatchObject({ status: 'failed' });
    expect(outcome.status === 'failed' && outcome.message).toBe(
      'Could not record what the backend probe process reported (disk full); nothing from it was kept. Try again.'
    );
    expect(isGone(job.pid)).toBe(true);
  });
});

describe('utilityProcess strategy', () => {
  /** Electron's utilityProcess as far as the launcher uses it, forking a real process; its 'exit' can be held back. */
  function utilityOver(opts: { reportExit: boolean }): UtilityProcessLike & { serviceNames: string[] } {
    const serviceNames: string[] = [];
    return {
      serviceNames,
      fork(modulePath, _args, options) {
        serviceNames.push(options?.serviceName ?? '');
        const child = fork(modulePath, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
        return {
          pid: child.pid,
          stderr: child.stderr,
          postMessage: (m) => child.send(m as object),
          kill: () => child.kill(),
          on: (event: 'message' | 'exit', fn: (arg: never) => void) =>
            event === 'message'
              ? child.on('message', fn as (m: unknown) => void)
              : opts.reportExit && child.on('exit', fn as (c: number) => void)
        };
      }
    };
  }

  it("ends the job when Electron reports the process gone ('child-process-gone'), even with no 'exit'", async () => {
    const entry = path.join(dir, 'hang.mjs');
    writeFileSync(entry, 'setInterval(() => {}, 1000);\n');
    const utility = utilityOver({ reportExit: false });
    const app = new EventEmitter();
    const job = probeJob(utilityProcessStrategy(utility, entry, app));
    // Another utility process of the app going away is not this job's end.
    app.emit('child-process-gone', {}, { type: 'Utility', name: 'Audio Service', reason: 'crashed', exitCode: 1 });
    process.kill(job.pid as number, 'SIGKILL');
    const details: ChildProcessGoneDetails = { type: 'Utility', name: utility.serviceNames[0], reason: 'oom', exitCode: 9 };
    app.emit('child-process-gone', {}, details);
    expect(await job.done).toEqual({
      status: 'failed',
      code: 'TRAINING_FAILED',
      message: 'The backend probe process ended (oom, code 9) before finishing.'
    });
    expect(app.listenerCount('child-process-gone')).toBe(0);
  });

  it('gives each process its own service name, and an ordinary exit still ends the job', async () => {
    const entry = path.join(dir, 'exit-2.mjs');
    writeFileSync(entry, 'process.exit(2);\n');
    const utility = utilityOver({ reportExit: true });
    const app = new EventEmitter();
    const spawn = utilityProcessStrategy(utility, entry, app);
    const outcomes = await Promise.all([probeJob(spawn).done, probeJob(spawn).done]);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed']);
    expect(new Set(utility.serviceNames).size).toBe(2);
  });
});
