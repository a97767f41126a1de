/**
 * The training process. Started by launcher.ts (child_process.fork under tsx, or Electron's
 * utilityProcess with the bundled out/main/training-worker.js). It runs one job — train,
 * predict, probe the backend, check or identify a weights file, or an explain job (an explain
 * session answers many requests until it is let go) — reports over the message port, and exits. It never opens the project file. Everything that loads TensorFlow.js (or, later, ONNX
 * Runtime) runs here, never in the process that started it.
 */
import { toErrorPayload } from '../../shared/errors';
import { engineStatus } from '../engine/engine-status';
import { identifyWeights } from '../engine/identify-weights';
import { initBackend, loadBackbone } from '../engine/index';
import { runTrainingJob } from '../engine/trainer/pipeline';
import { runPredictJob } from '../engine/trainer/predict-job';
import type { FeatureEntry } from '../engine/trainer/job-types';
import { explainFilters, explainLayers, explainSession, SessionInbox } from './explain-jobs';
import { parseMainToWorker, type MainToWorker, type WorkerJobRequest, type WorkerToMain } from './protocol';

interface ParentPort {
  postMessage(msg: WorkerToMain): void;
  on(event: 'message', fn: (e: { data: unknown }) => void): void;
}

/** Electron's utilityProcess exposes process.parentPort; fork gives process.send. */
function openPort(): { send(msg: WorkerToMain): Promise<void>; onMessage(fn: (msg: unknown) => void): void } {
  const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (parentPort) {
    return {
      send: async (msg) => parentPort.postMessage(msg),
      onMessage: (fn) => parentPort.on('message', (e) => fn(e.data))
    };
  }
  if (!process.send) throw new Error('training worker started without an IPC channel');
  return {
    send: (msg) => new Promise<void>((resolve) => process.send?.(msg, undefined, undefined, () => resolve())),
    onMessage: (fn) => process.on('message', fn)
  };
}

const port = openPort();
// If the app goes away, so does its training: nobody is left to persist the result.
process.on('disconnect', () => process.exit(1));
let cancelled = false;
let started = false;
let pendingCache: ((entries: FeatureEntry[]) => void) | null = null;
const inbox = new SessionInbox();

port.onMessage((raw) => {
  const parsed = parseMainToWorker(raw);
  if (!parsed.ok) {
    void refuse(parsed.problem);
    return;
  }
  const msg = parsed.msg;
  if (msg.type === 'cancel') {
    cancelled = true;
    inbox.close();
  } else if (msg.type === 'cached-features') pendingCache?.(msg.entries);
  else if (msg.type === 'explain-next') inbox.push(msg);
  else if (!started) {
    started = true;
    void run(msg);
  }
});

/** The main side broke the protocol: say so and stop, whatever was going on. */
async function refuse(problem: string): Promise<void> {
  await port.send({ type: 'error', code: 'INTERNAL', message: `The training process received an invalid message: ${problem}` });
  process.exit(1);
}

async function run(msg: WorkerJobRequest): Promise<void> {
  let code = 0;
  try {
    await port.send(await runJob(msg));
  } catch (err) {
    await port.send({ type: 'error', ...toErrorPayload(err) });
    code = 1;
  }
  process.exit(code);
}

function runJob(msg: WorkerJobRequest): Promise<WorkerToMain> {
  switch (msg.type) {
    case 'start':
      return train(msg);
    case 'predict':
      return predict(msg);
    case 'probe':
      return probe(msg);
    case 'validate-weights':
      return validateWeights(msg);
    case 'identify-weights':
      return identifyWeights(msg.weightsPath).then((identity) => ({ type: 'identified', ...identity }));
    case 'explain-layers':
      return explainLayers(msg);
    case 'explain-filters':
      return explainFilters(msg, { send: port.send, shouldStop: () => cancelled });
    case 'explain-session':
      return explainSession(msg, port, inbox);
  }
}

async function probe(msg: Extract<MainToWorker, { type: 'probe' }>): Promise<WorkerToMain> {
  return { type: 'probed', info: await engineStatus({ prefer: msg.backend }) };
}

/** Really loads the weights into the backbone (strict names and shapes), then lets go of them. */
async function validateWeights(msg: Extract<MainToWorker, { type: 'validate-weights' }>): Promise<WorkerToMain> {
  await initBackend();
  const backbone = await loadBackbone({ id: msg.backboneId, weightsPath: msg.weightsPath, inputSize: msg.inputSize });
  backbone.dispose();
  return { type: 'validated' };
}

async function train(msg: Extract<MainToWorker, { type: 'start' }>): Promise<WorkerToMain> {
  const result = await runTrainingJob(msg, {
    onLoaded: (info) => void port.send({ type: 'loaded', backend: info.backend, backendLabel: info.label }),
    onProgress: (progress) => void port.send({ type: 'progress', progress }),
    onFeatures: (extractor, entries) => void port.send({ type: 'features', extractor, entries }),
    requestCachedFeatures: (extractor, hashes) =>
      new Promise<FeatureEntry[]>((resolve) => {
        pendingCache = resolve;
        void port.send({ type: 'need-features', extractor, hashes });
      }),
    shouldStop: () => cancelled
  });
  return result === null ? { type: 'cancelled' } : { type: 'result', result };
}

async function predict(msg: Extract<MainToWorker, { type: 'predict' }>): Promise<WorkerToMain> {
  const out = await runPredictJob(msg, {
    onProgress: (progress) => void port.send({ type: 'progress', progress }),
    shouldStop: () => cancelled
  });
  return out === null ? { type: 'cancelled' } : { type: 'predicted', ...out };
}
