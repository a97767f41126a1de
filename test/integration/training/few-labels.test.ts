/**
 * Few labels, the way people use Teachable Machine: with 5 photos per class a run trains, the
 * head is still chosen by cross-validation, and the run says its validation estimate is weak;
 * classes with one validation photo, or none at all, crash nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTrainingProject, finishedRun, TM_BASE, type TrainingProject } from './project-fixture';

const start = {
  backboneId: 'mobilenet_v2',
  weightsPath: TM_BASE,
  inputSize: 96,
  fineTune: 'auto' as const,
  seed: 42,
  head: 'gap' as const,
  headTraining: 'logistic-cv' as const
};

let p: TrainingProject | null = null;
afterEach(() => {
  p?.cleanup();
  p = null;
});

describe('few labels', () => {
  it('trains on 5 photos per class (1 validates each) and says the validation estimate is weak', async () => {
    // No val folders: a seeded 20 % per class validates, here 1 photo of each class's 5.
    p = await createTrainingProject({ perClass: 5, valPerClass: 0, unlabeled: 2 });
    const { runId } = await p.handlers['training:start'](start);
    expect(await finishedRun(p.events, runId)).toMatchObject({ status: 'completed' });
    const run = await p.handlers['training:run']({ runId });
    expect(run.perClass.map((c) => c.support)).toEqual([1, 1, 1]);
    expect(run.choices?.validation).toMatchObject({ photos: 3, weak: true });
    expect(run.choices?.validation.note).toMatch(/weak estimate: only 3 validation photos.*Cross-validation on the 12 training photos/);
    expect(run.choices?.head.reason).toMatch(/logistic regression, C = .*2-fold CV accuracy|logistic regression, C = .*fold CV accuracy/);
    expect(run.choices?.fineTune).toEqual({
      value: false,
      reason: expect.stringMatching(/^off: too few training photos per class .*fewest 4, Auto needs 20/)
    });
  }, 240_000);

  it('trains with no validation photo at all (2 per class) and says there is no validation accuracy', async () => {
    p = await createTrainingProject({ perClass: 2, valPerClass: 0, unlabeled: 1 });
    const { runId } = await p.handlers['training:start'](start);
    expect(await finishedRun(p.events, runId)).toMatchObject({ status: 'completed', valAccuracy: null });
    const run = await p.handlers['training:run']({ runId });
    expect(run.perClass.map((c) => c.support)).toEqual([0, 0, 0]);
    expect(run.choices?.validation).toMatchObject({ photos: 0, weak: true });
    expect(run.choices?.validation.note).toMatch(/No validation photos/);
  }, 240_000);
});
