import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../../src/shared/dto';
import { createTestProject, SHARED_DIR, type TestProject } from './fixtures';

const DATASET = path.join(SHARED_DIR, 'datasets/hymenoptera');

describe.skipIf(!existsSync(DATASET))('importing the real hymenoptera dataset', () => {
  let t: TestProject;
  let result: ImportResult;
  beforeAll(async () => {
    t = createTestProject();
    result = await t.api.invoke('folders:add', { path: DATASET, classesFromFolders: true });
  }, 180_000);
  afterAll(() => t.cleanup());

  it('finds all 398 photos, including the GIF, and skips none', () => {
    expect(result.photos).toBe(398);
    expect(result.skipped).toEqual([]);
  });

  it('takes the classes from folder names', () => {
    expect(result.classes).toEqual({ ants: 194, bees: 204 });
  });

  it('takes the splits from the first folder level', () => {
    expect(result.splits).toEqual({ train: 245, val: 153 });
  });

  it('a rescan finds nothing to change', async () => {
    const [again] = await t.api.invoke('folders:rescan', {});
    expect([again.added, again.updated, again.removed, again.moved, again.photos]).toEqual([0, 0, 0, 0, 398]);
  });
});
