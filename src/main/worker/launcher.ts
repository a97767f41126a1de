/**
 * Starting the training process. The launcher takes a spawn strategy so each shell brings its
 * own: child_process.fork under tsx here (serve mode, CLI, tests), Electron's utilityProcess
 * with the bundled worker in the app (src/main/electron passes that strategy in).
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseWorkerToMain, type MainToWorker, type WorkerToMain } from './protocol';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
  /** Why Electron says the process went away ('crashed', 'oom', 'killed', …), when it says. */
  reason?: string;
  /** Last lines the process wrote to stderr, for the failure message. */
  stderrTail: string;
}

/** The main side's handle on one training process. */
export interface WorkerPort {
  readonly pid: number | undefined;
  send(msg: MainToWorker): void;
  /**
   * Every message from the process is checked against the protocol schema: a valid one goes to
   * `fn`, an invalid one to `onInvalid` with what is wrong (the caller fails the run and kills
   * the process; it is never silently dropped).
   */
  onMessage(fn: (msg: WorkerToMain) => void, onInvalid: (problem: string) => void): void;
  onExit(fn: (exit: WorkerExit) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

export type SpawnStrategy = () => WorkerPort;

/** Turns a raw message listener into a checked one. */
function checked(fn: (msg: WorkerToMain) => void, onInvalid: (problem: string) => void): (raw: unknown) => void {
  return (raw) => {
    const parsed = parseWorkerToMain(raw);
    if (parsed.ok) fn(parsed.msg);
    else onInvalid(parsed.problem);
  };
}

const STDERR_TAIL = 4000;

/** The worker entry as TypeScript source, for fork under tsx. */
export function workerEntryPath(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'entry.ts');
}

/**
 * fork(entry.ts) with tsx as the loader and structured-clone messages (Float32Arrays cross as
 * is). The child's stdout (tfjs prints banners there) never reaches the parent's stdout, which
 * may be carrying --json lines.
 */
export function forkStrategy(opts: { entry?: string; env?: NodeJS.ProcessEnv } = {}): SpawnStrategy {
  return () => {
    const tsxLoader = createRequire(import.meta.url).resolve('tsx');
    const child = fork(opts.entry ?? workerEntryPath(), [], {
      execArgv: ['--import', pathToFileURL(tsxLoader).href],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...opts.env }
    });
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    child.stdout?.resume();
    // Without an 'error' listener a failed spawn or a send racing the child's exit would throw
    // in the main process; the 'close' that follows is what marks the run failed.
    child.on('error', (err) => {
      tail = `${tail}\n${err.message}`.slice(-STDERR_TAIL);
    });
    return {
      pid: child.pid,
      send: (msg) => {
        if (child.connected) child.send(msg, (err) => err && child.emit('error', err));
      },
      onMessage: (fn, onInvalid) => child.on('message', checked(fn, onInvalid)),
      // 'close', not 'exit': it comes after the IPC channel has delivered every message, so a
      // result sent just before exiting is never overtaken by the exit (and taken for a crash).
      onExit: (fn) => child.on('close', (code, signal) => fn({ code, signal, stderrTail: tail })),
      kill: (signal = 'SIGTERM') => {
        child.kill(signal);
      }
    };
  };
}

/** The part of Electron's utilityProcess API the launcher uses (so this file never imports electron). */
export interface UtilityProcessLike {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'pipe' | 'ignore' | 'inherit' | Array<'pipe' | 'ignore' | 'inherit'> }
  ): {
    pid: number | undefined;
    stderr: NodeJS.ReadableStream | null;
    postMessage(message: unknown): void;
    kill(): boolean;
    on(event: 'message', fn: (message: unknown) => void): unknown;
    on(event: 'exit', fn: (code: number) => void): unknown;
  };
}

/** What Electron's app event 'child-process-gone' says about the process (its `details`). */
export interface ChildProcessGoneDetails {
  type: string;
  reason: string;
  exitCode: number;
  /** For a utility process: the serviceName it was forked with. */
  name?: string;
}

/** Electron's `app`, as far as the launcher listens to it. */
export interface ChildProcessGoneSource {
  on(event: 'child-process-gone', fn: (event: unknown, details: ChildProcessGoneDetails) => void): unknown;
  removeListener(event: 'child-process-gone', fn: (event: unknown, details: ChildProcessGoneDetails) => void): unknown;
}

let forkCount = 0;

/**
 * For the Electron shell: `utilityProcessStrategy(utilityProcess, entry, app)` with the bundled
 * worker entry. The worker sees process.parentPort and answers over it. Each process gets its
 * own service name, so the app's 'child-process-gone' (a crash Electron reports there, e.g. out
 * of memory, which a crashed utility process may report instead of 'exit') ends exactly its job.
 */
export function utilityProcessStrategy(utility: UtilityProcessLike, bundledEntry: string, app?: ChildProcessGoneSource): SpawnStrategy {
  return () => {
    const serviceName = `Transfer Studio training ${++forkCount}`;
    const child = utility.fork(bundledEntry, [], { serviceName, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    let killedWith: string | null = null;
    const exitListeners: Array<(exit: WorkerExit) => void> = [];
    let exited: WorkerExit | null = null;
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // 'exit' and 'child-process-gone' may both come for one death: the first one counts.
    const onGone = (exit: Omit<WorkerExit, 'stderrTail'>) => {
      if (exited) return;
      exited = { ...exit, stderrTail: tail };
      app?.removeListener('child-process-gone', onChildGone);
      for (const fn of exitListeners) fn(exited);
    };
    const onChildGone = (_event: unknown, details: ChildProcessGoneDetails) => {
      if (details.type !== 'Utility' || details.name !== serviceName) return;
      onGone({ code: details.exitCode, signal: killedWith, reason: details.reason });
    };
    app?.on('child-process-gone', onChildGone);
    child.on('exit', (code: number) => onGone({ code, signal: killedWith }));
    return {
      pid: child.pid,
      send: (msg) => {
        if (!exited) child.postMessage(msg);
      },
      onMessage: (fn, onInvalid) => child.on('message', checked(fn, onInvalid)),
      onExit: (fn) => {
        if (exited) fn(exited);
        else exitListeners.push(fn);
      },
      kill: (signal = 'SIGTERM') => {
        killedWith = signal;
        child.kill();
      }
    };
  };
}

export function launchTrainingWorker(spawn: SpawnStrategy = forkStrategy()): WorkerPort {
  return spawn();
}
