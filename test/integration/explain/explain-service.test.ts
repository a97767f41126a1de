/**
 * The explain channels through the app's services with real training processes (fork under
 * tsx): a tiny project trained on MobileNetV2 0.35 (../shared), then its conv layers, filter
 * images streamed as events (cached the second time, cancellable), and Grad-CAM with top
 * classes for a project photo, a file outside the project and uploaded bytes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, EventMap } from '../../../src/shared/contract';
import type { FilterJobEvent } from '../../../src/shared/explain-dto';
import { createApp, createDirectClient, type App } from '../../../src/main/services/app';
import { ExplainSessions } from '../../../src/main/services/explain-sessions';
import { localAppOptions } from '../../../src/main/server/app-options';
import { drawSyntheticPhotos, SYNTHETIC_CLASSES } from '../training/synthetic-photos';
import { TM_BASE } from '../training/project-fixture';
import { isAlive } from '../../helpers/processes';

let dir: string;
let app: App;
let api: ApiClient;
let runId: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-explain-service-'));
  const photos = await drawSyntheticPhotos(path.join(dir, 'shapes'), { perClass: 8, valPerClass: 3 });
  app = createApp({
    ...localAppOptions({ project: path.join(dir, 'p.tstudio'), userData: dir, transport: 'direct' }),
    rescanOnOpen: false
  });
  api = createDirectClient(app);
  await api.invoke('folders:add', { path: photos, classesFromFolders: true });
  const finished = new Promise<EventMap['training:finished']>((resolve) => api.on('training:finished', resolve));
  runId = (await api.invoke('training:start', { backboneId: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 96, epochs: 5 })).runId;
  expect((await finished).status).toBe('completed');
}, 300_000);
afterAll(() => {
  app.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Collects one filter job's events until it ends. */
function filterJob(jobIdOf: Promise<{ jobId: number }>): Promise<FilterJobEvent[]> {
  const seen: FilterJobEvent[] = [];
  return new Promise((resolve) => {
    const off = api.on('explain:filters', (e) => {
      seen.push(e);
      void jobIdOf.then(({ jobId }) => {
        if (e.kind === 'finished' && e.jobId === jobId) {
          off();
          resolve(seen.filter((s) => s.jobId === jobId));
        }
      });
    });
  });
}

describe('explain services', { timeout: 300_000 }, () => {
  it("lists the conv layers of the active run's backbone, and refuses an unknown layer by listing them", async () => {
    const layers = await api.invoke('explain:layers', {});
    expect(layers).toMatchObject({ backboneId: 'mobilenet_v2', weightsPath: TM_BASE, source: 'active-run', imageSize: 128 });
    // This run did not fine-tune (too few photos): its base is the pretrained one, and the gallery says so.
    expect((await api.invoke('training:run', { runId })).choices?.fineTune.value).toBe(false);
    expect(layers.weights).toEqual({
      kind: 'pretrained',
      runId,
      label: `ImageNet weights (MobileNetV2 0.35), as run ${runId} uses them`,
      fallback: null,
      refinedLayers: []
    });
    expect(layers.layers.map((l) => l.name)).toContain('block_2_expand');
    expect(layers.layers.find((l) => l.name === 'Conv1')).toMatchObject({ filters: 16, className: 'Conv2D' });
    await expect(api.invoke('explain:filters', { layer: 'nope' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('block_2_expand')
    });
  });

  it('streams each filter image as a PNG as it is done, then ends; the second time they come from the cache', async () => {
    const request = { layer: 'block_2_expand', first: 4, count: 3, steps: 6 };
    const first = filterJob(api.invoke('explain:filters', request));
    const events = await first;
    const filters = events.flatMap((e) => (e.kind === 'filter' ? [e.filter] : []));
    expect(filters.map((f) => f.index).sort()).toEqual([4, 5, 6]);
    for (const f of filters) {
      expect(f.cached).toBe(false);
      expect(f.activationEnd).toBeGreaterThan(f.activationStart);
      const png = Buffer.from(f.image.replace(/^data:image\/png;base64,/, ''), 'base64');
      expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 128, height: 128 });
    }
    expect(events.some((e) => e.kind === 'progress')).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'finished', status: 'completed', error: null });
    expect(readdirSync(path.join(dir, 'cache', 'filters')).length).toBeGreaterThan(0);

    const again = await filterJob(api.invoke('explain:filters', request));
    const cached = again.flatMap((e) => (e.kind === 'filter' ? [e.filter] : []));
    expect(cached.map((f) => [f.index, f.cached, f.image])).toEqual(filters.map((f) => [f.index, true, f.image]));
  });

  it('cancels a filter job: it ends cancelled with fewer images than asked for', async () => {
    const started = api.invoke('explain:filters', { layer: 'block_16_project', first: 0, count: 40, steps: 30 });
    const events = filterJob(started);
    const { jobId } = await started;
    // Cancel once the first image is out, so the process was really working.
    await new Promise<void>((resolve) => {
      const off = api.on('explain:filters', (e) => {
        if (e.jobId === jobId && e.kind === 'filter') {
          off();
          resolve();
        }
      });
    });
    expect(await api.invoke('explain:cancel', { jobId })).toEqual({ cancelled: true });
    const seen = await events;
    expect(seen.at(-1)).toMatchObject({ kind: 'finished', status: 'cancelled' });
    expect(seen.filter((e) => e.kind === 'filter').length).toBeLessThan(40);
    expect(await api.invoke('explain:cancel', { jobId })).toEqual({ cancelled: false });
  });

  it('explains a project photo, a file outside the project and uploaded bytes alike: top classes and a Grad-CAM overlay', async () => {
    const page = await api.invoke('photos:page', { filter: { kind: 'all' }, limit: 1000 });
    const triangle = page.items.find((p) => p.relPath === 'val/triangles/triangles-8.jpg');
    expect(triangle).toBeDefined();
    const byId = await api.invoke('explain:photo', { photoId: triangle?.id as number });
    expect(byId.runId).toBe(runId);
    expect(byId.top.map((t) => t.className).sort()).toEqual([...SYNTHETIC_CLASSES].sort());
    expect(byId.top[0].confidence).toBeGreaterThanOrEqual(byId.top[1].confidence);
    expect(byId.top.reduce((s, t) => s + t.confidence, 0)).toBeCloseTo(1, 3);
    expect(byId.className).toBe(byId.top[0].className);
    expect(byId.cam.length).toBeGreaterThan(0);
    expect(byId.cam.flat().every((v) => v >= 0)).toBe(true);
    const overlay = Buffer.from(byId.overlay.split(',')[1], 'base64');
    expect(await sharp(overlay).metadata()).toMatchObject({ format: 'png', width: 448, height: 448 });

    const file = path.join(dir, 'shapes', 'val', 'triangles', 'triangles-8.jpg');
    const byPath = await api.invoke('explain:photo', { path: file });
    const uploaded = await api.invoke('explain:photo', { image: { name: 'mine.jpg', base64: readFileSync(file).toString('base64') } });
    for (const other of [byPath, uploaded]) {
      expect(other.top.map((t) => t.className)).toEqual(byId.top.map((t) => t.className));
      expect(other.top[0].confidence).toBeCloseTo(byId.top[0].confidence, 5);
      expect(other.cam).toEqual(byId.cam);
    }
    expect(readdirSync(path.join(dir, 'cache', 'try-a-photo'))).toEqual([]);

    // Another class of the same photo: the same probabilities, a map for that class.
    const other = byId.top[1].className;
    const forOther = await api.invoke('explain:photo', { photoId: triangle?.id as number, className: other });
    expect(forOther.className).toBe(other);
    expect(forOther.top).toEqual(byId.top);
    expect(forOther.cam).not.toEqual(byId.cam);
    await expect(api.invoke('explain:photo', { photoId: triangle?.id as number, className: 'dogs' })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: `Run ${runId} has no class "dogs". Its classes: circles, squares, triangles.`
    });
  });

  it('says in plain words when uploaded bytes are not an image', async () => {
    await expect(
      api.invoke('explain:photo', { image: { name: 'notes.jpg', base64: Buffer.from('hello, not a photo').toString('base64') } })
    ).rejects.toMatchObject({ code: 'IO_ERROR', message: expect.stringMatching(/^Cannot read image notes\.jpg/) });
  });
});

describe('explain sessions: one process per model while it is used', { timeout: 300_000 }, () => {
  let modelDir: string;
  let photo: (n: number) => string;
  beforeAll(async () => {
    modelDir = (await api.invoke('training:run', { runId })).modelPath as string;
    photo = (n) => path.join(dir, 'shapes', 'train', 'circles', `circles-${n}.jpg`);
  });

  it('answers photo after photo from one process, refuses a bad image without ending, and lets go when idle', async () => {
    const sessions = new ExplainSessions(undefined, 500);
    try {
      const answers = await Promise.all([1, 2, 3].map((n) => sessions.explain(modelDir, { path: photo(n), renderSize: 64 })));
      const [pid] = sessions.pids();
      expect(sessions.pids()).toEqual([pid]);
      for (const a of answers) expect(a.labels).toEqual([...SYNTHETIC_CLASSES].sort());
      expect(new Set(answers.map((a) => a.png.length)).size).toBeGreaterThan(1);

      const bad = path.join(dir, 'not-a-photo.jpg');
      writeFileSync(bad, 'hello');
      await expect(sessions.explain(modelDir, { path: bad, renderSize: 64 })).rejects.toMatchObject({ code: 'IO_ERROR' });
      await sessions.explain(modelDir, { path: photo(4), renderSize: 64 });
      expect(sessions.pids()).toEqual([pid]);

      // Half a second without requests: the process goes, and the next request starts another.
      await expect.poll(() => isAlive(pid), { timeout: 20_000 }).toBe(false);
      expect(sessions.pids()).toEqual([]);
      await sessions.explain(modelDir, { path: photo(1), renderSize: 64 });
      expect(sessions.pids()).toHaveLength(1);
      expect(sessions.pids()[0]).not.toBe(pid);
    } finally {
      sessions.close();
    }
  });

  it('fails the requests a crashed process held with the reason, and the next request gets a new process', async () => {
    const sessions = new ExplainSessions();
    try {
      await sessions.explain(modelDir, { path: photo(1), renderSize: 64 });
      const [pid] = sessions.pids();
      const held = sessions.explain(modelDir, { path: photo(2), renderSize: 448 });
      process.kill(pid, 'SIGKILL');
      await expect(held).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/^The Grad-CAM process was killed/) });
      const again = await sessions.explain(modelDir, { path: photo(2), renderSize: 64 });
      expect(again.labels).toEqual([...SYNTHETIC_CLASSES].sort());
      expect(sessions.pids()).toHaveLength(1);
      expect(sessions.pids()[0]).not.toBe(pid);
    } finally {
      sessions.close();
    }
  });

  it('a model that replaced another in the same folder gets its own process', async () => {
    const sessions = new ExplainSessions();
    try {
      await sessions.explain(modelDir, { path: photo(1), renderSize: 64 }, 'finished at 1');
      const [first] = sessions.pids();
      await sessions.explain(modelDir, { path: photo(1), renderSize: 64 }, 'finished at 2');
      expect(sessions.pids()).toHaveLength(2);
      expect(sessions.pids()).toContain(first);
    } finally {
      sessions.close();
    }
  });

  it('closing stops the processes and fails what they held in plain words; a missing model is named', async () => {
    const sessions = new ExplainSessions();
    const missing = sessions.explain(path.join(dir, 'no-such-model'), { path: photo(1), renderSize: 64 });
    await expect(missing).rejects.toMatchObject({ message: expect.stringContaining('no-such-model') });
    await sessions.explain(modelDir, { path: photo(1), renderSize: 64 });
    const [pid] = sessions.pids();
    // The Grad-CAM under way may finish; the ones still queued are dropped, and say so.
    const held = [2, 3, 4].map((n) => sessions.explain(modelDir, { path: photo(n), renderSize: 448 }));
    sessions.close();
    const settled = await Promise.allSettled(held);
    expect(settled[2]).toMatchObject({ status: 'rejected', reason: { code: 'CANCELLED' } });
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'CANCELLED' });
    await expect.poll(() => isAlive(pid), { timeout: 20_000 }).toBe(false);
    await expect(sessions.explain(modelDir, { path: photo(1), renderSize: 64 })).rejects.toMatchObject({ code: 'NO_PROJECT' });
  });
});

describe("the gallery on a fine-tuned run's own network", { timeout: 600_000 }, () => {
  let tunedId: number;
  const images = async (req: { layer: string; backboneId?: string; weightsPath?: string }) => {
    const events = await filterJob(api.invoke('explain:filters', { ...req, first: 4, count: 3, steps: 6 }));
    return events.flatMap((e) => (e.kind === 'filter' ? [e.filter] : [])).sort((a, b) => a.index - b.index);
  };
  beforeAll(async () => {
    const finished = new Promise<EventMap['training:finished']>((resolve) => api.on('training:finished', resolve));
    const req = { backboneId: 'mobilenet_v2', weightsPath: TM_BASE, inputSize: 96, epochs: 3, fineTune: true } as const;
    tunedId = (await api.invoke('training:start', req)).runId;
    expect((await finished).status).toBe('completed');
    await api.invoke('training:set-active', { runId: tunedId });
  }, 600_000);

  it('shows the run’s own top-block filters (not the pretrained ones), says so, and shares the images below the block', async () => {
    expect((await api.invoke('training:run', { runId: tunedId })).choices?.fineTune.value).toBe(true);
    const layers = await api.invoke('explain:layers', {});
    expect(layers.weights).toMatchObject({
      kind: 'run',
      runId: tunedId,
      label: `Run ${tunedId}’s network (MobileNetV2 0.35), top block refined on your photos`,
      fallback: null
    });
    expect(layers.weights.refinedLayers).toContain('block_16_project');
    expect(layers.weights.refinedLayers).not.toContain('block_2_expand');

    const own = await images({ layer: 'block_16_project' });
    const pretrained = await images({ layer: 'block_16_project', backboneId: 'mobilenet_v2', weightsPath: TM_BASE });
    expect(own.map((f) => f.cached)).toEqual([false, false, false]);
    expect(pretrained.map((f) => f.cached)).toEqual([false, false, false]);
    for (let i = 0; i < 3; i++) expect(own[i].image).not.toBe(pretrained[i].image);
    // block_2_expand 4–6 were made for the first run's (pretrained) base above: the same images, from the cache.
    const below = await images({ layer: 'block_2_expand' });
    expect(below.map((f) => f.cached)).toEqual([true, true, true]);
  });

  it('falls back to the pretrained weights and says why in plain words when the run’s saved model is damaged', async () => {
    const modelDir = (await api.invoke('training:run', { runId: tunedId })).modelPath as string;
    truncateSync(path.join(modelDir, 'weights.bin'), 100);
    const layers = await api.invoke('explain:layers', {});
    expect(layers.weights).toMatchObject({
      kind: 'pretrained',
      runId: tunedId,
      label: 'ImageNet weights (MobileNetV2 0.35)',
      refinedLayers: []
    });
    expect(layers.weights.fallback).toMatch(
      new RegExp(
        `^Run ${tunedId} refined its top block on your photos, but its saved model could not be read, so these are the pretrained weights`
      )
    );
    expect(layers.weights.fallback).toContain(modelDir);
    // The filter images are the pretrained ones then: served from the cache the request above filled.
    const shown = await images({ layer: 'block_16_project' });
    expect(shown.map((f) => f.cached)).toEqual([true, true, true]);
  });
});
