/**
 * A label change answers with its delta, and 'library:changed' carries the same one: the counts
 * it moved (equal to what stats:get, classes:list and predictions:list say right after) and the
 * changed photos as photos:get shows them. With those, a window updates without refetching.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabelDelta } from '../../../src/shared/dto';
import { openDatabase } from '../../../src/main/db/database';
import { replacePredictions } from '../../../src/main/db/training-prediction-repository';
import { completeRun, insertRun } from '../../../src/main/db/training-repository';
import { createTestProject, photosByPath, writePhoto, type TestProject } from './fixtures';

let t: TestProject;
let ids: number[];
let ants: number;
let bees: number;
let announced: LabelDelta[];

beforeEach(async () => {
  t = createTestProject();
  for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await writePhoto(path.join(t.photos, `${name}.jpg`));
  await t.api.invoke('folders:add', { path: t.photos });
  ids = [...(await photosByPath(t.api)).values()].map((p) => p.id).sort((a, b) => a - b);
  ants = (await t.api.invoke('classes:add', { name: 'ants' })).id;
  bees = (await t.api.invoke('classes:add', { name: 'bees' })).id;
  announced = [];
  t.api.on('library:changed', (e) => e.delta && announced.push(e.delta));
});
afterEach(() => t.cleanup());

/** What a finished run leaves: an active model suggesting ants for every photo. */
function trainModel(): void {
  const db = openDatabase(t.app.project().path);
  const runId = insertRun(db, { config: {}, backboneId: 'b', classes: [{ id: ants, name: 'ants' }] });
  completeRun(db, { runId, backend: 'wasm', timings: {}, metrics: {}, history: [], examples: [], modelPath: '/m' });
  replacePredictions(
    db,
    runId,
    ids.map((photoId, i) => ({ photoId, classId: ants, confidence: 0.5 + i / 10, probs: [] }))
  );
  db.close();
}

/** The delta must say what the other requests say right after the change. */
async function expectTruthful(delta: LabelDelta, changed: number[]): Promise<void> {
  expect(delta.counts.stats).toEqual(await t.api.invoke('stats:get'));
  const classes = await t.api.invoke('classes:list');
  expect(delta.counts.classes).toEqual(Object.fromEntries(classes.map((c) => [c.id, c.count])));
  const all = await t.api.invoke('predictions:list', { limit: 1 });
  const perClass = await Promise.all(classes.map((c) => t.api.invoke('predictions:list', { classId: c.id, limit: 1 })));
  expect(delta.counts.suggestions.total).toBe(all.total);
  for (const [i, c] of classes.entries()) expect(delta.counts.suggestions.byClass[c.id] ?? 0).toBe(perClass[i].total);
  expect(delta.photos).toEqual(await Promise.all(changed.map((id) => t.api.invoke('photos:get', { id }))));
}

describe('label deltas', () => {
  it('a label, its undo and redo each answer and announce the counts and photos they changed', async () => {
    trainModel();
    const labeled = await t.api.invoke('labels:assign', { photoIds: [ids[0], ids[1]], classId: bees });
    expect(labeled.photoIds).toEqual([ids[0], ids[1]]);
    expect(labeled.delta.counts.stats).toMatchObject({ labeled: 2, unlabeled: 3 });
    expect(labeled.delta.counts.suggestions.total).toBe(3);
    await expectTruthful(labeled.delta, [ids[0], ids[1]]);
    const undone = await t.api.invoke('labels:undo');
    expect(undone.delta.photos?.map((p) => [p.classId, p.suggestion?.classId])).toEqual([
      [null, ants],
      [null, ants]
    ]);
    await expectTruthful(undone.delta, [ids[0], ids[1]]);
    const redone = await t.api.invoke('labels:redo');
    await expectTruthful(redone.delta, [ids[0], ids[1]]);
    expect(announced.map((d) => d.seq)).toEqual([labeled.delta.seq, undone.delta.seq, redone.delta.seq]);
    expect(announced[2]).toEqual(redone.delta);
    expect(labeled.delta.seq).toBeLessThan(undone.delta.seq);
  });

  it('accepting and turning down suggestions answer with their deltas too', async () => {
    trainModel();
    const accepted = await t.api.invoke('predictions:accept', { photoIds: [ids[2]] });
    expect(accepted).toMatchObject({ accepted: 1, photoIds: [ids[2]] });
    expect(accepted.delta.photos?.[0]).toMatchObject({ id: ids[2], classId: ants, labelSource: 'model' });
    await expectTruthful(accepted.delta, [ids[2]]);
    const rejected = await t.api.invoke('predictions:reject', { photoIds: [ids[3]] });
    expect(rejected.delta.photos?.[0]).toMatchObject({ id: ids[3], classId: null, suggestion: null });
    await expectTruthful(rejected.delta, [ids[3]]);
    expect(announced).toHaveLength(2);
  });

  it('a change that changes nothing answers with the counts and announces nothing', async () => {
    await t.api.invoke('labels:assign', { photoIds: [ids[4]], classId: ants });
    announced = [];
    const again = await t.api.invoke('labels:assign', { photoIds: [ids[4]], classId: ants });
    expect(again.changed).toBe(0);
    expect(again.delta.photos).toEqual([]);
    await expectTruthful(again.delta, []);
    expect(announced).toEqual([]);
  });
});
