/**
 * "Update suggestions" in Chromium against the real serve mode: a model trained (through the API)
 * on a few hymenoptera photos, then more photos imported that have no suggestion yet. In the
 * library, Update suggestions shows a busy state and then says how many photos got one, and the
 * sidebar counts follow; started again and cancelled from the Train view (where Train waits for
 * it), the previous suggestions are kept.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/shared/dto';
import { chromiumAvailable } from '../helpers/browser';
import { invokeApi, RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { copyPhotos, sidebarCount, TM_BASE, trainedRun } from './small-hymenoptera';

describe.skipIf(!chromiumAvailable())('update suggestions in Chromium (serve mode)', () => {
  const session = useServeSession('repredict');

  it('updates the suggestions for photos imported after training, and a cancel keeps the previous ones', async () => {
    const labeled = join(session.dir, 'labeled');
    for (const cls of ['ants', 'bees']) {
      copyPhotos('train', cls, 0, 10, join(labeled, 'train', cls));
      copyPhotos('val', cls, 0, 4, join(labeled, 'val', cls));
    }
    copyPhotos('train', 'ants', 40, 2, join(session.dir, 'inbox-before'));
    copyPhotos('train', 'bees', 40, 1, join(session.dir, 'inbox-before'));
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: labeled, classesFromFolders: true });
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: join(session.dir, 'inbox-before') });
    const run = await trainedRun(session.serve);
    expect(run).toMatchObject({ status: 'completed', active: true });
    // Imported after the run: no suggestions until they are predicted.
    copyPhotos('val', 'ants', 30, 3, join(session.dir, 'inbox-after'));
    copyPhotos('val', 'bees', 30, 3, join(session.dir, 'inbox-after'));
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: join(session.dir, 'inbox-after') });

    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(session.serve.url);
    await expect.poll(() => page.getByTestId('status-counts').innerText(), { timeout: 30_000 }).toMatch(/28\s+labeled\s+9\s+unlabeled/);
    await expect.poll(() => sidebarCount(page, 'uncertain'), { timeout: 15_000 }).toBe('3');
    const update = page.getByTestId('suggestions-update');
    expect(await update.getAttribute('data-state')).toBe('idle');

    // Update: busy (no figures: the re-predict reports no progress), then how many got one.
    await page.getByTestId('suggestions-update-start').click();
    await expect.poll(() => update.getAttribute('data-state')).toBe('updating');
    await page.getByTestId('suggestions-update-cancel').waitFor();
    await page.screenshot({ path: join(RESULTS_DIR, 'repredict-busy.png') });
    const info = page.locator('[data-testid="notice"][data-kind="info"]');
    await expect
      .poll(
        () =>
          info
            .first()
            .innerText()
            .catch(() => ''),
        { timeout: 120_000 }
      )
      .toContain(`Suggestions updated: 9 unlabeled photos got a suggestion from run ${run.id}’s model.`);
    expect(await update.getAttribute('data-state')).toBe('idle');
    await expect.poll(() => sidebarCount(page, 'uncertain')).toBe('9');
    const byClass = (
      await Promise.all(
        ['ants', 'bees'].map(async (name) => {
          const cls = page.locator('[data-testid="filter-item"][data-filter^="suggested:"]', { hasText: `Suggested as ${name}` });
          return Number(await cls.locator('.count').innerText());
        })
      )
    ).reduce((a, b) => a + b, 0);
    expect(byClass).toBe(9);
    await page.screenshot({ path: join(RESULTS_DIR, 'repredict-done.png') });

    // Again, from the run's detail on Train, where Train now waits; cancelled there.
    await page.getByTestId('tab-train').click();
    await page.locator('[data-testid="train-advanced"] summary').click();
    await page.getByTestId('train-weights-path').fill(TM_BASE);
    await expect.poll(() => page.getByTestId('train-start').isEnabled()).toBe(true);
    await page.locator('[data-testid="run-results"] [data-testid="suggestions-update-start"]').click();
    await expect.poll(() => page.getByTestId('train-start').isEnabled()).toBe(false);
    expect(await page.getByTestId('train-waits').innerText()).toContain('Suggestions are being updated');
    await page.screenshot({ path: join(RESULTS_DIR, 'repredict-train-waits.png') });
    await page.getByTestId('train-cancel-update').click();
    await expect
      .poll(
        () =>
          info
            .last()
            .innerText()
            .catch(() => ''),
        { timeout: 60_000 }
      )
      .toContain('Update cancelled: the previous suggestions are kept.');
    await expect.poll(() => page.getByTestId('train-start').isEnabled()).toBe(true);
    expect(await page.locator('[data-testid="notice"][data-kind="error"]').count()).toBe(0);
    const after = await invokeApi<{ total: number }>(session.serve, 'predictions:list', { limit: 1 });
    expect(after.total).toBe(9);
    expect(errors).toEqual([]);
  });
});
