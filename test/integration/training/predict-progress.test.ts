/**
 * A re-predict (training:predict) answers at once with its run id, then reports to every window: 'predictions:progress' while the
 * training process loads the model and predicts, 'predictions:finished' once it has ended and
 * the slot is free, and 'training:busy' says what holds the slot. A real project with more
 * unlabeled photos than one batch, and real training processes (fork under tsx).
 */
import { renameSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingBusy } from '../../../src/shared/dto';
import { createTrainingProject, finishedRun, nextPredictionEnd, predictToEnd, TM_BASE, type TrainingProject } from './project-fixture';

/** Unlabeled photos: more than the predict job's batch of 16, so predicting takes several steps. */
const UNLABELED = 40;

let p: TrainingProject;
let runId: number;

beforeAll(async () => {
  p = await createTrainingProject({ unlabeled: UNLABELED });
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
}, 180_000);
afterAll(() => p.cleanup());

function busyNow(): TrainingBusy {
  return p.handlers['training:busy'](undefined) as TrainingBusy;
}

describe('re-predict progress and the busy status', () => {
  it('progress arrives in order with done ≤ total and ends at total, then one completed finish', async () => {
    const progress = p.record('predictions:progress');
    const finished = p.record('predictions:finished');
    expect(await predictToEnd(p, runId)).toEqual({ runId, status: 'completed', predictions: UNLABELED, error: null });

    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.every((e) => e.runId === runId && e.total === UNLABELED && e.done >= 0 && e.done <= e.total)).toBe(true);
    expect(progress[0]).toMatchObject({ phase: 'loading', done: 0 });
    // Loading comes before predicting and never again after it; predicted photos only go up.
    const firstPredicting = progress.findIndex((e) => e.phase === 'predicting');
    expect(firstPredicting).toBeGreaterThan(0);
    expect(progress.slice(0, firstPredicting).every((e) => e.phase === 'loading')).toBe(true);
    const predicting = progress.slice(firstPredicting);
    expect(predicting.every((e) => e.phase === 'predicting')).toBe(true);
    const dones = predicting.map((e) => e.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ phase: 'predicting', done: UNLABELED, total: UNLABELED, etaMs: 0 });
    expect(finished).toEqual([{ runId, status: 'completed', predictions: UNLABELED, error: null }]);
  });

  it("training:busy answers 'predicting' with the run while it re-predicts, and nothing once its finish is announced", async () => {
    expect(busyNow()).toEqual({ kind: null, runId: null });
    const duringProgress: TrainingBusy[] = [];
    const atFinish: TrainingBusy[] = [];
    const offProgress = p.events.on('predictions:progress', () => duringProgress.push(busyNow()));
    const offFinished = p.events.on('predictions:finished', () => atFinish.push(busyNow()));
    const ended = nextPredictionEnd(p.events);
    expect(await p.handlers['training:predict']({ runId })).toEqual({ runId });
    expect(busyNow()).toEqual({ kind: 'predicting', runId });
    await ended;
    offProgress();
    offFinished();
    expect(duringProgress.length).toBeGreaterThan(0);
    expect(duringProgress.every((b) => b.kind === 'predicting' && b.runId === runId)).toBe(true);
    expect(atFinish).toEqual([{ kind: null, runId: null }]);
    expect(busyNow()).toEqual({ kind: null, runId: null });
  });

  it('a cancelled re-predict ends with a cancelled finish and no progress after the cancel', async () => {
    const progress = p.record('predictions:progress');
    const finished = p.record('predictions:finished');
    const ended = nextPredictionEnd(p.events);
    await p.handlers['training:predict']({ runId });
    // Cancel once the process has said something, so the cancel meets a running job.
    await new Promise<void>((resolve) => {
      const off = p.events.on('predictions:progress', () => {
        off();
        resolve();
      });
    });
    const seenAtCancel = progress.length;
    expect(await p.handlers['training:cancel']({ runId })).toEqual({ cancelled: true });
    expect(await ended).toEqual({ runId, status: 'cancelled', predictions: null, error: null });
    expect(progress).toHaveLength(seenAtCancel);
    expect(finished).toEqual([{ runId, status: 'cancelled', predictions: null, error: null }]);
    expect(busyNow()).toEqual({ kind: null, runId: null });
  });

  it('a re-predict that fails (the saved model is gone) ends with a failed finish that says why', async () => {
    const finished = p.record('predictions:finished');
    const run = await p.handlers['training:run']({ runId });
    renameSync(run.modelPath as string, `${run.modelPath as string}.away`);
    try {
      const end = await predictToEnd(p, runId);
      expect(end).toMatchObject({ runId, status: 'failed', predictions: null });
      expect(end.error).toMatch(/The saved model in .* is missing or damaged/);
      expect(finished).toEqual([end]);
      expect(busyNow()).toEqual({ kind: null, runId: null });
    } finally {
      renameSync(`${run.modelPath as string}.away`, run.modelPath as string);
    }
  });
});
