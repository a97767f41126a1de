/**
 * A rescan of a large folder never holds the thread: a request that arrives while it reads the
 * project's rows back is answered before the rescan ends. Checked by order, not by time: the
 * request is scheduled as a new event-loop task (as a network request arrives) at the moment the
 * rescan has finished walking the folder and starts its bookkeeping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../src/shared/dto';
import { writeNumberedPhotos } from '../../helpers/numbered-photos';
import { createTestProject, type TestProject } from './fixtures';

let t: TestProject;
beforeAll(async () => {
  t = createTestProject();
  // More photos than one page of the rescan's reads (2,000 rows).
  await writeNumberedPhotos(t.photos, 4_500);
  const result = await t.api.invoke('folders:add', { path: t.photos });
  expect(result.photos).toBe(4_500);
}, 300_000);
afterAll(() => t.cleanup());

describe('rescan of a large folder', () => {
  it('answers a request that arrives during the rescan before the rescan ends', async () => {
    const order: string[] = [];
    let asked = false;
    const off = t.api.on('import:progress', (p: ImportProgress) => {
      if (p.phase !== 'scan' || p.currentPath !== t.photos || asked) return;
      asked = true;
      setImmediate(() => {
        void t.api.invoke('photos:page', { limit: 10 }).then((page) => order.push(`request answered (${page.total})`));
      });
    });
    const [result] = await t.api.invoke('folders:rescan', {});
    order.push('rescan done');
    off();
    expect(result.photos).toBe(4_500);
    expect(asked).toBe(true);
    expect(order).toEqual(['request answered (4500)', 'rescan done']);
  }, 120_000);
});
