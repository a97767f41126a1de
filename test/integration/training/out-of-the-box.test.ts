/**
 * A fresh install trains: with an empty user models folder and no options at all (what the
 * Train button and `cli train` without flags send), a run uses the bundled MobileNetV2, chooses
 * what it can by itself and says why — here 96 px photos, so 224 px without upscaling further.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainingProject, finishedRun, type TrainingProject } from './project-fixture';

let p: TrainingProject;
beforeAll(async () => {
  p = await createTrainingProject();
}, 120_000);
afterAll(() => p.cleanup());

describe('out of the box', () => {
  it('trains with the bundled MobileNetV2 and reports its choices', async () => {
    // The fixture's handlers check the request as every transport does: the empty one gets the defaults.
    const { runId } = await p.handlers['training:start']({});
    expect(await finishedRun(p.events, runId)).toMatchObject({ status: 'completed' });
    const run = await p.handlers['training:run']({ runId });
    expect(run.backboneId).toBe('mobilenet_v2_035');
    // Auto, resolved by the plan before the run: 10 photos per class are too few to tell whether fine-tuning pays.
    expect(run.config).toMatchObject({ fineTune: false, headTraining: 'logistic-cv', timeBudgetSeconds: 600 });
    expect(run.choices?.fineTune).toEqual({
      value: false,
      reason: expect.stringMatching(/^off: too few training photos per class .*Auto needs 20/)
    });
    expect(run.valAccuracy).toBeGreaterThanOrEqual(0.8);
    expect(run.choices?.inputSize).toEqual({ value: 224, reason: expect.stringMatching(/median short side is 96 px/) });
    expect(run.choices?.head.value).toBe('logistic-cv');
    expect(run.choices?.cvAccuracy).toBeGreaterThan(0.5);
  }, 900_000);
});
