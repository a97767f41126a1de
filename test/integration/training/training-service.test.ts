/**
 * Training through the service and a real training process (fork under tsx): a run completes
 * and is persisted with metrics and predictions, suggestions can be accepted, the cache is
 * reused, cancel stops a run mid-epoch, and a killed process leaves the project consistent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingProgress } from '../../../src/shared/dto';
import { createTrainingProject, finishedRun, TM_BASE, type TrainingProject } from './project-fixture';

let p: TrainingProject;
const start = {
  backboneId: 'mobilenet_v2',
  weightsPath: TM_BASE,
  inputSize: 96,
  fineTune: false,
  seed: 42,
  head: 'gap' as const,
  headTraining: 'logistic-cv' as const
};

beforeAll(async () => {
  p = await createTrainingProject();
}, 120_000);
afterAll(() => p.cleanup());

function labelsBySource(): Record<string, number> {
  const rows = p.session.db.prepare('SELECT source, COUNT(*) AS n FROM labels GROUP BY source').all() as { source: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.source, r.n]));
}

describe('training service', () => {
  it('completes a run in the training process and stores metrics, history, model and predictions', async () => {
    const progress = p.record('training:progress');
    const { runId } = await p.handlers['training:start'](start);
    const finished = await finishedRun(p.events, runId);
    expect(finished).toMatchObject({ status: 'completed', error: null });
    expect(finished.valAccuracy).toBeGreaterThanOrEqual(0.8);
    const phases = progress
      .filter((e) => e.runId === runId)
      .map((e: TrainingProgress) => e.phase)
      .filter((ph, i, all) => ph !== all[i - 1]);
    expect(phases).toEqual(['loading', 'features', 'training', 'evaluating', 'predicting', 'saving']);
    const run = await p.handlers['training:run']({ runId });
    expect(run).toMatchObject({
      status: 'completed',
      backend: 'wasm',
      classes: ['circles', 'squares', 'triangles'],
      active: true,
      featuresComputed: 51
    });
    expect(run.history.map((h) => h.epoch)).toEqual(run.history.map((_, i) => i + 1));
    expect(run.confusion?.flat().reduce((a, b) => a + b, 0)).toBe(15);
    expect(run.mistakes).toHaveLength(15);
    expect(run.mistakes[0].loss).toBeGreaterThanOrEqual(run.mistakes[14].loss);
    const suggestions = await p.handlers['predictions:list']({ order: 'least-certain', offset: 0, limit: 100 });
    expect(suggestions.total).toBe(6);
    const confidences = suggestions.items.map((s) => s.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => a - b));
  });

  it('turns accepted suggestions into labels with source "model"', async () => {
    const accepted = await p.handlers['predictions:accept']({ minConfidence: 0 });
    expect(accepted.accepted).toBe(6);
    expect(labelsBySource()).toEqual({ user: 45, model: 6 });
    expect((await p.handlers['predictions:list']({ order: 'least-certain', offset: 0, limit: 100 })).total).toBe(0);
    p.session.history.undo(p.session.db);
    expect(labelsBySource()).toEqual({ user: 45 });
  });

  it('reuses the feature cache on the next run: no forward pass for a known photo', async () => {
    const { runId } = await p.handlers['training:start']({ ...start, seed: 7 });
    expect((await finishedRun(p.events, runId)).status).toBe('completed');
    expect(await p.handlers['training:run']({ runId })).toMatchObject({ featuresComputed: 0, featuresCached: 51 });
  });

  it('refuses a second run, and predicting, while one is training', async () => {
    const { runId } = await p.handlers['training:start'](start);
    await expect(Promise.resolve().then(() => p.handlers['training:start'](start))).rejects.toMatchObject({ code: 'BUSY' });
    // Predicting with the active model (from the runs above) is refused too, without a process.
    const workers = p.workers.length;
    await expect(Promise.resolve().then(() => p.handlers['training:predict']({}))).rejects.toMatchObject({
      code: 'BUSY',
      message: 'A training run is in progress; predict again when it has finished.'
    });
    expect(p.workers.length).toBe(workers);
    p.handlers['training:cancel']({ runId });
    await finishedRun(p.events, runId);
  });

  it('cancels mid-epoch: the run stops before its planned epochs, is marked cancelled, and nothing else changes', async () => {
    const before = {
      runs: (await p.handlers['training:runs'](undefined)).length,
      labels: labelsBySource(),
      models: p.session.db.prepare('SELECT COUNT(*) FROM training_models').pluck().get()
    };
    const { runId } = await p.handlers['training:start']({ ...start, epochs: 500 });
    const done = finishedRun(p.events, runId);
    let cancelled = false;
    const off = p.events.on('training:progress', (e) => {
      if (e.runId === runId && e.phase === 'training' && e.done > 0 && !cancelled) {
        cancelled = true;
        p.handlers['training:cancel']({ runId });
      }
    });
    const finished = await done;
    off();
    expect(finished.status).toBe('cancelled');
    const run = await p.handlers['training:run']({ runId });
    expect(run).toMatchObject({ status: 'cancelled', modelPath: null });
    expect(run.history.length).toBeLessThan(500);
    expect((await p.handlers['training:runs'](undefined)).length).toBe(before.runs + 1);
    expect(labelsBySource()).toEqual(before.labels);
    expect(p.session.db.prepare('SELECT COUNT(*) FROM training_models').pluck().get()).toBe(before.models);
  });

  it('marks the run failed with the reason when the training process is killed, and the project stays consistent', async () => {
    const { runId } = await p.handlers['training:start']({ ...start, inputSize: 112 });
    const done = finishedRun(p.events, runId);
    const off = p.events.on('training:progress', (e) => {
      if (e.runId === runId && e.phase === 'features') p.workers.at(-1)?.kill('SIGKILL');
    });
    const finished = await done;
    off();
    expect(finished.status).toBe('failed');
    expect(finished.error).toMatch(/killed \(SIGKILL\)/);
    expect(await p.handlers['training:run']({ runId })).toMatchObject({ status: 'failed', modelPath: null });
    expect(p.session.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(p.session.db.pragma('foreign_key_check')).toEqual([]);
    // The app carries on: the next run trains normally.
    const next = await p.handlers['training:start'](start);
    expect((await finishedRun(p.events, next.runId)).status).toBe('completed');
  }, 180_000);
});
