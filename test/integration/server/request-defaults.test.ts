/**
 * Defaults apply over every transport when the request is left out: a direct client (CLI,
 * tests) invoking with no request, and serve-mode HTTP with an empty body. (Electron's IPC
 * adapter hands the request to the same dispatch as the direct client.) Seen in what
 * 'training:plan' resolves and in the settings 'training:start' stores for its run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, DEFAULT_TIME_BUDGET_SECONDS } from '../../../src/shared/contract';
import type { RunDetail, TrainingFinished, TrainingPlanPreview } from '../../../src/shared/dto';
import { createDirectClient } from '../../../src/main/services/app';
import { bearer, rawRequest, writePhotoTree } from './fixtures';
import { startTestServer, type TestServer } from './test-server';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
  const photos = join(t.dir, 'photos');
  await writePhotoTree(photos, { ants: 3, bees: 3 });
  await createDirectClient(t.app).invoke('folders:add', { path: photos, classesFromFolders: true });
  // A file where VGG16's weights belong: enough for the plan to choose VGG16 (it is never loaded here).
  mkdirSync(join(t.dir, 'models/vgg16'), { recursive: true });
  writeFileSync(join(t.dir, 'models/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'), 'not really weights');
}, 60_000);
afterAll(async () => {
  await t.close();
});

/** POST with no body at all. */
async function invokeWithoutBody(channel: string): Promise<unknown> {
  const res = await rawRequest(t.port, `/api/invoke/${channel}`, { method: 'POST', headers: bearer(t.token) });
  expect(res.status).toBe(200);
  return (res.json() as { data: unknown }).data;
}

/** fineTune 'auto' is resolved by the plan: 3 photos per class are too few to tell whether it pays. */
const DEFAULT_CHOICES = {
  backboneId: 'vgg16',
  inputSize: 224,
  inputSizeCandidates: [224],
  epochs: 50,
  fineTune: false,
  seed: DEFAULT_SEED,
  head: 'gap',
  headTraining: 'logistic-cv',
  timeBudgetSeconds: DEFAULT_TIME_BUDGET_SECONDS
};

describe('defaults of an omitted request', () => {
  it('training:plan, direct client with no request', async () => {
    const plan = await createDirectClient(t.app).invoke('training:plan');
    expect(plan.choices).toMatchObject(DEFAULT_CHOICES);
    expect(plan.blocked).toBeNull();
  });

  it('training:plan, HTTP with an empty body', async () => {
    const plan = (await invokeWithoutBody('training:plan')) as TrainingPlanPreview;
    expect(plan.choices).toMatchObject(DEFAULT_CHOICES);
  });

  it('predictions:list and folders:rescan, HTTP with an empty body', async () => {
    expect(await invokeWithoutBody('predictions:list')).toEqual({ runId: null, total: 0, items: [] });
    expect(await invokeWithoutBody('folders:rescan')).toHaveLength(1);
  });

  it('training:start, HTTP with an empty body: the run stores the default settings', async () => {
    const finished = new Promise<TrainingFinished>((resolve) => t.app.events.on('training:finished', resolve));
    const { runId } = (await invokeWithoutBody('training:start')) as { runId: number };
    // Those are no real weights, so the run fails in the training process; its settings are what counts.
    expect((await finished).runId).toBe(runId);
    const run = (await createDirectClient(t.app).invoke('training:run', { runId })) as RunDetail;
    expect(run.config).toEqual({
      ...DEFAULT_CHOICES,
      weightsPath: join(t.dir, 'models/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5')
    });
  }, 120_000);
});
