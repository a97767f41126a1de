/**
 * Re-predicting with a saved model (training:predict) holds the same one-process slot as a
 * training run: while it predicts, training:start and a second predict answer BUSY, and
 * training:cancel (with no run id, or the model's run id) stops the prediction process, which
 * then ends cancelled and leaves the previous predictions as they were. A real project and
 * real training processes (fork under tsx).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerExit } from '../../../src/main/worker/launcher';
import { createTrainingProject, finishedRun, nextPredictionEnd, predictToEnd, TM_BASE, type TrainingProject } from './project-fixture';

let p: TrainingProject;
let runId: number;
const start = { backboneId: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 96, fineTune: false, seed: 42, head: 'gap' as const };

beforeAll(async () => {
  p = await createTrainingProject();
  runId = (await p.handlers['training:start'](start)).runId;
  expect((await finishedRun(p.events, runId)).status).toBe('completed');
}, 180_000);
afterAll(() => p.cleanup());

/** Every stored prediction row of the run, as stored. */
function storedPredictions(): unknown[] {
  return p.session.db
    .prepare('SELECT photo_id, class_id, confidence, probs FROM training_predictions WHERE run_id = ? ORDER BY photo_id')
    .all(runId);
}

/** Resolves when the most recently started process has exited. */
function lastWorkerExit(): Promise<WorkerExit> {
  return new Promise((resolve) => p.workers.at(-1)?.onExit(resolve));
}

describe('re-predict and the training slot', () => {
  it('refuses training and a second predict while re-predicting; cancel with the run id stops it and keeps the previous predictions', async () => {
    // One suggestion turned down first, so a re-predict that completed would be visible (it writes that row back).
    await p.handlers['predictions:reject']({ photoIds: [(storedPredictions()[0] as { photo_id: number }).photo_id] });
    const before = storedPredictions();
    expect(before).toHaveLength(5);
    const workers = p.workers.length;
    const ended = nextPredictionEnd(p.events);
    expect(await p.handlers['training:predict']({ runId })).toEqual({ runId });
    const exited = lastWorkerExit();
    expect(p.workers.length).toBe(workers + 1);
    const pid = p.workers.at(-1)?.pid as number;

    await expect(Promise.resolve().then(() => p.handlers['training:start'](start))).rejects.toMatchObject({
      code: 'BUSY',
      message: `Suggestions are being predicted again with run ${runId}'s model; cancel that or wait until it has finished, then train.`
    });
    await expect(Promise.resolve().then(() => p.handlers['training:predict']({}))).rejects.toMatchObject({ code: 'BUSY' });
    expect(p.workers.length).toBe(workers + 1);

    expect(await p.handlers['training:cancel']({ runId: runId + 1000 })).toEqual({ cancelled: false });
    expect(await p.handlers['training:cancel']({ runId })).toEqual({ cancelled: true });
    expect(await ended).toEqual({ runId, status: 'cancelled', predictions: null, error: null });
    // The end comes once the process is gone, so the slot is never freed while it still runs.
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    await exited;
    expect(storedPredictions()).toEqual(before);
  });

  it('cancel without a run id stops a re-predict too, and the slot is free again afterwards', async () => {
    const before = storedPredictions();
    const ended = nextPredictionEnd(p.events);
    await p.handlers['training:predict']({});
    const exited = lastWorkerExit();
    expect(await p.handlers['training:cancel']({})).toEqual({ cancelled: true });
    expect(await ended).toMatchObject({ status: 'cancelled' });
    await exited;
    expect(storedPredictions()).toEqual(before);
    expect(await p.handlers['training:cancel']({})).toEqual({ cancelled: false });
  });

  it('a re-predict that is not cancelled replaces the predictions, and a rejected class stays rejected', async () => {
    expect(await predictToEnd(p)).toMatchObject({ runId, status: 'completed', predictions: 6 });
    const offered = await p.handlers['predictions:list']({ order: 'most-certain', offset: 0, limit: 100 });
    const [first] = offered.items;
    expect(await p.handlers['predictions:reject']({ photoIds: [first.photoId] })).toMatchObject({ rejected: 1 });
    // The same model on the same photos predicts the same class again: it is stored, not suggested.
    expect(await predictToEnd(p)).toMatchObject({ runId, status: 'completed', predictions: 6 });
    expect(storedPredictions()).toHaveLength(6);
    const stored = p.session.db
      .prepare('SELECT class_id FROM training_predictions WHERE run_id = ? AND photo_id = ?')
      .pluck()
      .get(runId, first.photoId);
    expect(stored).toBe(first.classId);
    const list = await p.handlers['predictions:list']({ order: 'most-certain', offset: 0, limit: 100 });
    expect(list.total).toBe(offered.total - 1);
    expect(list.items.map((s) => s.photoId)).not.toContain(first.photoId);
    expect((await p.handlers['predictions:accept']({ minConfidence: 0 })).photoIds).not.toContain(first.photoId);
    p.session.history.undo(p.session.db);
  });

  it('training starts again once the re-predict is over', async () => {
    const next = await p.handlers['training:start'](start);
    expect((await finishedRun(p.events, next.runId)).status).toBe('completed');
  });
});
