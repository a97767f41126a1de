/**
 * The worker protocol schemas: they accept the messages both ends really build (the same way
 * entry.ts and training-run.ts build them) and reject malformed ones with a readable reason.
 * Also, end to end through a real process: the worker answers an invalid message with an error
 * and exits.
 */
import { describe, expect, it } from 'vitest';
import { AppError, toErrorPayload } from '../../../src/shared/errors';
import type { TrainingProgressData, TrainingJobConfig, TrainingJobResult } from '../../../src/main/engine/trainer/job-types';
import { ProgressClock } from '../../../src/main/engine/trainer/progress-clock';
import { forkStrategy, type WorkerExit } from '../../../src/main/worker/launcher';
import { parseMainToWorker, parseWorkerToMain, type MainToWorker, type WorkerToMain } from '../../../src/main/worker/protocol';

function progressReports(): TrainingProgressData[] {
  const out: TrainingProgressData[] = [];
  const clock = new ProgressClock((p) => out.push(p), 0);
  clock.start('features', 4);
  clock.countItems(2);
  clock.report(2, 4);
  clock.start('training', 10, { epoch: 1, epochs: 2, note: 'fine-tuning would take ~1 min' });
  clock.report(5, 10, { epoch: 1, epochs: 2, epochMetrics: { stage: 'head', epoch: 1, loss: 0.7, acc: 0.5, valLoss: null, valAcc: null } });
  // A diverging loss is a result to report, not a broken message.
  clock.report(6, 10, { epoch: 2, epochs: 2, batchLoss: Number.NaN, batchAcc: 0 });
  return out;
}

const result: TrainingJobResult = {
  backend: 'wasm',
  backendLabel: 'WebAssembly',
  backboneId: 'mobilenet_v2',
  classes: ['ants', 'bees'],
  evaluation: {
    accuracy: 0.5,
    perClass: [{ name: 'ants', precision: 1, recall: 0.5, f1: 0.66, support: 2 }],
    confusion: [
      [1, 1],
      [0, 2]
    ],
    examples: [{ photoId: 3, trueIndex: 0, predictedIndex: 1, confidence: 0.9, loss: 2.3 }]
  },
  history: [{ epoch: 1, loss: 0.7, acc: 0.5, valLoss: 0.8, valAcc: 0.5 }],
  fineTuneHistory: [],
  bestEpoch: 1,
  timings: { load: 1, features: 2, train: 3, fineTune: 0, evaluate: 0.1, predict: 0.1, save: 0.2, total: 6.4 },
  predictions: [{ photoId: 9, classIndex: 1, confidence: 0.8, probs: [0.2, 0.8] }],
  modelDir: '/tmp/run-1',
  features: { computed: 4, cached: 0, failed: [{ photoId: 5, reason: 'not an image' }] },
  peakRss: 123_456_789,
  choices: {
    inputSize: { value: 320, reason: '320 px: CV 0.940 vs 0.930 at 224' },
    fineTune: { value: false, reason: 'off: over the time budget' },
    head: { value: 'logistic-cv', reason: 'logistic regression, C = 0.01' },
    headCv: [
      { c: 0.001, accuracy: 0.9, logLoss: 0.4 },
      { c: 0.01, accuracy: 0.94, logLoss: 0.2 }
    ],
    cvAccuracy: 0.94,
    validation: { photos: 4, weak: true, note: 'A weak estimate: only 4 validation photos.' }
  },
  inference: 'ONNX Runtime · CPU (2 threads)'
};

const config: TrainingJobConfig = {
  backboneId: 'mobilenet_v2',
  weightsPath: '/models/mobilenet',
  inputSize: 96,
  head: 'gap',
  classes: ['ants', 'bees'],
  epochs: 5,
  batchSize: 16,
  learningRate: 0.001,
  patience: 3,
  fineTune: false,
  fineTuneReason: 'off: asked for (Never)',
  fineTuneEpochs: 0,
  fineTuneLrDivisor: 10,
  headTraining: 'logistic-cv',
  inputSizes: { candidates: [96], reason: '96 px: asked for' },
  timeBudgetSeconds: 600,
  seed: 42,
  modelDir: '/tmp/run-1',
  backend: 'auto'
};

/** The messages the worker sends, built as entry.ts builds them. */
function workerMessages(): WorkerToMain[] {
  const entries = [
    { hash: 'a', data: new Float32Array([0.1, 0.2, 0.3]) },
    { hash: 'b', data: new Float32Array(3) }
  ];
  return [
    { type: 'loaded', backend: 'wasm', backendLabel: 'WebAssembly (4 threads)' },
    { type: 'need-features', extractor: 'mobilenet_v2@96', hashes: ['a', 'b'] },
    { type: 'features', extractor: 'mobilenet_v2@96', entries },
    ...progressReports().map((progress) => ({ type: 'progress' as const, progress })),
    { type: 'result', result },
    { type: 'predicted', predictions: result.predictions, classes: result.classes },
    { type: 'cancelled' },
    { type: 'error', ...toErrorPayload(new AppError('WEIGHTS_MISSING', 'The weights are missing.')) },
    { type: 'error', ...toErrorPayload(new Error('boom')) }
  ];
}

describe('worker → main schema', () => {
  it('accepts every message the training process really sends, Float32Arrays kept as they are', () => {
    for (const msg of workerMessages()) {
      const parsed = parseWorkerToMain(structuredClone(msg));
      expect(parsed, JSON.stringify(msg).slice(0, 200)).toMatchObject({ ok: true });
    }
    const features = workerMessages()[2];
    const parsed = parseWorkerToMain(features);
    expect(parsed.ok && parsed.msg.type === 'features' && parsed.msg.entries[0].data).toBe(
      (features as Extract<WorkerToMain, { type: 'features' }>).entries[0].data
    );
  });

  it.each([
    ['not an object', 'hello', /message without a type/],
    ['an unknown type', { type: 'done' }, /'done'/],
    ['features as a plain array', { type: 'features', extractor: 'x', entries: [{ hash: 'a', data: [0.1, 0.2] }] }, /entries\.0\.data/],
    [
      'features of different lengths',
      {
        type: 'features',
        extractor: 'x',
        entries: [
          { hash: 'a', data: new Float32Array(3) },
          { hash: 'b', data: new Float32Array(2) }
        ]
      },
      /different lengths/
    ],
    ['progress without a phase', { type: 'progress', progress: { ...progressReports()[0], phase: undefined } }, /progress\.phase/],
    [
      'a result with a fractional class index',
      { type: 'result', result: { ...result, predictions: [{ photoId: 9, classIndex: 0.5, confidence: 1, probs: [1] }] } },
      /result\.predictions\.0\.classIndex/
    ],
    ['an error with an unknown code', { type: 'error', code: 'OOPS', message: 'x' }, /'error': code/]
  ])('rejects %s', (_name, raw, reason) => {
    const parsed = parseWorkerToMain(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(reason);
  });
});

describe('main → worker schema', () => {
  it('accepts the messages the main side sends', () => {
    const cached = new Map([['a', new Float32Array([1, 2])]]);
    const messages: MainToWorker[] = [
      {
        type: 'start',
        config,
        items: [{ photoId: 1, path: '/p/1.jpg', hash: 'a', classIndex: 0, split: 'train' }],
        unlabeled: [{ photoId: 2, path: '/p/2.jpg', hash: 'b' }]
      },
      { type: 'predict', modelDir: '/tmp/run-1', items: [{ photoId: 2, path: '/p/2.jpg', hash: 'b' }], backend: 'auto' },
      { type: 'probe', backend: 'auto' },
      { type: 'validate-weights', backboneId: 'vgg16', weightsPath: '/w/vgg16.h5', inputSize: 64 },
      { type: 'cached-features', entries: [...cached].map(([hash, data]) => ({ hash, data })) },
      { type: 'cached-features', entries: [] },
      { type: 'cancel' }
    ];
    for (const msg of messages) expect(parseMainToWorker(structuredClone(msg))).toMatchObject({ ok: true });
  });

  it('rejects a start without a usable config', () => {
    const parsed = parseMainToWorker({ type: 'start', config: { ...config, head: 'dense' }, items: [], unlabeled: [] });
    expect(parsed).toMatchObject({ ok: false, problem: expect.stringMatching(/config\.head/) });
  });
});

describe('training process', () => {
  it('answers an invalid message with an error and exits', async () => {
    const port = forkStrategy()();
    const received: WorkerToMain[] = [];
    const invalid: string[] = [];
    const exited = new Promise<WorkerExit>((resolve) => port.onExit(resolve));
    port.onMessage(
      (m) => received.push(m),
      (problem) => invalid.push(problem)
    );
    port.send({ type: 'start', config: {}, items: 'all' } as unknown as MainToWorker);
    const exit = await exited;
    expect(invalid).toEqual([]);
    expect(received).toEqual([
      { type: 'error', code: 'INTERNAL', message: expect.stringMatching(/^The training process received an invalid message: 'start': /) }
    ]);
    expect(exit.code).toBe(1);
  });
});
