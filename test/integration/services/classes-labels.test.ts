import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_UNDO_STEPS } from '../../../src/main/services/labels';
import { createTestProject, photosByPath, writePhoto, type TestProject } from './fixtures';

let t: TestProject;
let ids: number[];

beforeEach(async () => {
  t = createTestProject();
  for (const name of ['p1', 'p2', 'p3', 'p4']) await writePhoto(path.join(t.photos, `${name}.jpg`));
  await t.api.invoke('folders:add', { path: t.photos });
  ids = [...(await photosByPath(t.api)).values()].map((p) => p.id).sort((a, b) => a - b);
});
afterEach(() => t.cleanup());

async function labelsOf(): Promise<Array<number | null>> {
  const byPath = await photosByPath(t.api);
  return ['p1.jpg', 'p2.jpg', 'p3.jpg', 'p4.jpg'].map((p) => byPath.get(p)?.classId ?? null);
}

describe('classes', () => {
  it('gives new classes distinct colours and the next free hotkey', async () => {
    const a = await t.api.invoke('classes:add', { name: 'Ants' });
    const b = await t.api.invoke('classes:add', { name: 'Bees', hotkey: null });
    const c = await t.api.invoke('classes:add', { name: 'Cats' });
    expect([a.hotkey, b.hotkey, c.hotkey]).toEqual(['1', null, '2']);
    expect(new Set([a.color, b.color, c.color]).size).toBe(3);
    expect([a.position, b.position, c.position]).toEqual([0, 1, 2]);
  });

  it('refuses a duplicate name in any letter case, and a hotkey in use', async () => {
    await t.api.invoke('classes:add', { name: 'Ants' });
    await expect(t.api.invoke('classes:add', { name: 'ANTS' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(t.api.invoke('classes:add', { name: 'Bees', hotkey: '1' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('renames, recolours, rebinds and reorders', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    const b = await t.api.invoke('classes:add', { name: 'b' });
    const updated = await t.api.invoke('classes:update', { id: a.id, name: 'alpha', color: '#123456', hotkey: 'q' });
    expect(updated).toMatchObject({ name: 'alpha', color: '#123456', hotkey: 'q' });
    const order = await t.api.invoke('classes:reorder', { ids: [b.id] });
    expect(order.map((c) => [c.name, c.position])).toEqual([
      ['b', 0],
      ['alpha', 1]
    ]);
  });

  it('delete removes its labels and reports how many', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    await t.api.invoke('labels:assign', { photoIds: ids.slice(0, 3), classId: a.id });
    expect(await t.api.invoke('classes:delete', { id: a.id })).toEqual({ removedLabels: 3 });
    expect(await labelsOf()).toEqual([null, null, null, null]);
  });

  it('merge moves the source labels to the target and deletes the source', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    const b = await t.api.invoke('classes:add', { name: 'b' });
    await t.api.invoke('labels:assign', { photoIds: [ids[0], ids[1]], classId: a.id });
    await t.api.invoke('labels:assign', { photoIds: [ids[2]], classId: b.id });
    const merged = await t.api.invoke('classes:merge', { sourceId: a.id, targetId: b.id });
    expect([merged.count, merged.position]).toEqual([3, 0]);
    expect((await t.api.invoke('classes:list')).map((c) => c.name)).toEqual(['b']);
  });

  it('delete and merge clear the undo stack', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    const b = await t.api.invoke('classes:add', { name: 'b' });
    await t.api.invoke('labels:assign', { photoIds: [ids[0]], classId: a.id });
    await t.api.invoke('classes:merge', { sourceId: a.id, targetId: b.id });
    expect(await t.api.invoke('labels:undo')).toMatchObject({ changed: 0, canUndo: false, canRedo: false });
  });
});

describe('labels', () => {
  it('assigns and clears many photos in one call, counting real changes', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    expect((await t.api.invoke('labels:assign', { photoIds: ids, classId: a.id })).changed).toBe(4);
    expect((await t.api.invoke('labels:assign', { photoIds: ids, classId: a.id })).changed).toBe(0);
    expect((await t.api.invoke('labels:assign', { photoIds: ids.slice(0, 2), classId: null })).changed).toBe(2);
    expect(await t.api.invoke('stats:get')).toMatchObject({ labeled: 2, unlabeled: 2, classes: { a: 2 } });
  });

  it('undo and redo step through label changes', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    const b = await t.api.invoke('classes:add', { name: 'b' });
    await t.api.invoke('labels:assign', { photoIds: [ids[0], ids[1]], classId: a.id });
    await t.api.invoke('labels:assign', { photoIds: [ids[1], ids[2]], classId: b.id });
    await t.api.invoke('labels:assign', { photoIds: [ids[0]], classId: null });
    expect(await labelsOf()).toEqual([null, b.id, b.id, null]);
    await t.api.invoke('labels:undo');
    expect(await labelsOf()).toEqual([a.id, b.id, b.id, null]);
    const undone = await t.api.invoke('labels:undo');
    expect(undone).toMatchObject({ changed: 2, canUndo: true, canRedo: true });
    expect(await labelsOf()).toEqual([a.id, a.id, null, null]);
    await t.api.invoke('labels:redo');
    expect(await labelsOf()).toEqual([a.id, b.id, b.id, null]);
  });

  it('a new change after undo drops the redo steps', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    await t.api.invoke('labels:assign', { photoIds: [ids[0]], classId: a.id });
    await t.api.invoke('labels:undo');
    const result = await t.api.invoke('labels:assign', { photoIds: [ids[1]], classId: a.id });
    expect(result).toMatchObject({ changed: 1, canUndo: true, canRedo: false });
  });

  it(`keeps at most ${MAX_UNDO_STEPS} undo steps`, async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    for (let i = 0; i < MAX_UNDO_STEPS + 5; i++) {
      await t.api.invoke('labels:assign', { photoIds: [ids[0]], classId: i % 2 === 0 ? a.id : null });
    }
    let steps = 0;
    while ((await t.api.invoke('labels:undo')).changed > 0) steps++;
    expect(steps).toBe(MAX_UNDO_STEPS);
  });

  it('rejects unknown photos or classes without changing anything', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    await expect(t.api.invoke('labels:assign', { photoIds: [ids[0], 9999], classId: a.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.api.invoke('labels:assign', { photoIds: [ids[0]], classId: 9999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await t.api.invoke('stats:get')).labeled).toBe(0);
  });

  it('announces label changes with library:changed', async () => {
    const a = await t.api.invoke('classes:add', { name: 'a' });
    const reasons: string[] = [];
    t.api.on('library:changed', (e) => reasons.push(e.reason));
    await t.api.invoke('labels:assign', { photoIds: [ids[0]], classId: a.id });
    await t.api.invoke('labels:undo');
    expect(reasons).toEqual(['labels', 'labels']);
  });
});
