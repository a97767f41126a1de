/**
 * Missing is not corrupt: photos whose files vanish during an import (a subfolder or the whole
 * folder unmounted mid-import) are reported as missing, and come back on the next rescan once
 * the files are there again, even though their size and mtime never changed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../src/shared/dto';
import { createTestProject, writePhoto, type TestProject } from './fixtures';

let t: TestProject;
beforeEach(() => {
  t = createTestProject();
});
afterEach(() => t.cleanup());

/** Runs `act` once, synchronously, when the scan phase reports done (before any file is read). */
function afterScan(act: () => void): void {
  let done = false;
  const off = t.api.on('import:progress', (p: ImportProgress) => {
    // The scan's final event names the folder itself; the ones before name files.
    if (p.phase !== 'scan' || p.currentPath !== t.photos || done) return;
    done = true;
    off();
    act();
  });
}

describe('photos that vanish during an import', () => {
  it('are stored as missing, not corrupt, and are read again on the next rescan when they are back', async () => {
    await writePhoto(path.join(t.photos, 'stay.jpg'));
    for (let i = 0; i < 3; i++) await writePhoto(path.join(t.photos, 'card', `img${i}.jpg`));
    const away = path.join(t.dir, 'away');
    afterScan(() => renameSync(path.join(t.photos, 'card'), away));
    const first = await t.api.invoke('folders:add', { path: t.photos });
    expect(first.photos).toBe(1);
    const reasons = first.skipped.map((s) => s.reason);
    expect(reasons).toHaveLength(3);
    for (const r of reasons) {
      expect(r).toMatch(/^missing: .* was not found when it was read/);
      expect(r).not.toMatch(/corrupt|Input file is missing/i);
    }

    // Back with the same size and mtime (a rename keeps both): the rescan must still read them.
    renameSync(away, path.join(t.photos, 'card'));
    const [again] = await t.api.invoke('folders:rescan', {});
    expect(again.photos).toBe(4);
    expect(again.skipped).toEqual([]);
  });

  it('a folder that disappears mid-import fails with NOT_FOUND and removes nothing; a rescan finishes the job', async () => {
    for (let i = 0; i < 3; i++) await writePhoto(path.join(t.photos, `p${i}.jpg`));
    const away = path.join(t.dir, 'unmounted');
    afterScan(() => renameSync(t.photos, away));
    await expect(t.api.invoke('folders:add', { path: t.photos })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/disappeared during the import/)
    });
    renameSync(away, t.photos);
    const [result] = await t.api.invoke('folders:rescan', {});
    expect(result.photos).toBe(3);
    expect(result.skipped).toEqual([]);
  });

  it('a photo skipped as unreadable is read again on a rescan even when its size and mtime are unchanged', async () => {
    const file = path.join(t.photos, 'late.jpg');
    const good = await writePhoto(file);
    const when = statSync(file).mtime;
    // Same size, garbage content: skipped as not an image.
    writeFileSync(file, Buffer.alloc(good.length, 0x41));
    utimesSync(file, when, when);
    const first = await t.api.invoke('folders:add', { path: t.photos });
    expect(first.photos).toBe(0);
    writeFileSync(file, good);
    utimesSync(file, when, when);
    const [again] = await t.api.invoke('folders:rescan', {});
    expect(again.photos).toBe(1);
  });
});

describe('entries that are not photos a folder can give', () => {
  it('lists dangling links and named pipes under Skipped with their reasons', async () => {
    await writePhoto(path.join(t.photos, 'ok.jpg'));
    symlinkSync(path.join(t.dir, 'nowhere.jpg'), path.join(t.photos, 'dangling.jpg'));
    mkdirSync(path.join(t.photos, 'sub'));
    execFileSync('mkfifo', [path.join(t.photos, 'sub', 'pipe.jpg')]);
    const result = await t.api.invoke('folders:add', { path: t.photos });
    expect(result.photos).toBe(1);
    const byName = new Map(result.skipped.map((s) => [path.basename(s.path), s.reason]));
    expect(byName.get('dangling.jpg')).toBe('symbolic link to something that does not exist (dangling link)');
    expect(byName.get('pipe.jpg')).toBe('not a regular file (a named pipe, socket or device), so it is not read');
  });
});
