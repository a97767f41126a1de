/**
 * Small windows, plain words and the theme in Chromium against the real serve mode (issue 12,
 * points 10 and 11): at 800×600 (the window minimum) the grid has several columns and the side
 * panels fold (remembered across a reload); at 640 px nothing runs off the screen; the Library,
 * Train and Runs views speak plainly; the theme (system / light / dark) survives a reload.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/shared/dto';
import { chromiumAvailable } from '../helpers/browser';
import { invokeApi, RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { copyPhotos, trainedRun } from './small-hymenoptera';

/** Words a person who labels photos should not meet on screen (tooltips may keep them). */
const DEVELOPER_WORDS = /tfjs|@tensorflow|\bhead\b|from the cache|\bmode:|backbone|\bfeatures?\b|img\/s|\bbatch(es)?\b/i;

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('[data-testid="photo-tile"]').first().waitFor();
}

async function columns(page: Page): Promise<number> {
  return Number(await page.getByTestId('photo-grid').getAttribute('data-columns'));
}

/** Elements whose box reaches past the right edge of the window. */
function offScreen(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('header *, footer *, main *'))
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > window.innerWidth + 1;
      })
      .map((el) => `${el.tagName}.${el.className}`)
  );
}

describe.skipIf(!chromiumAvailable())('small windows, plain words and the theme in Chromium (serve mode)', () => {
  const session = useServeSession('windows');

  beforeAll(async () => {
    const labeled = join(session.dir, 'labeled');
    for (const cls of ['ants', 'bees']) {
      copyPhotos('train', cls, 0, 8, join(labeled, 'train', cls));
      copyPhotos('val', cls, 0, 3, join(labeled, 'val', cls));
      copyPhotos('val', cls, 20, 3, join(session.dir, 'inbox'));
    }
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: labeled, classesFromFolders: true });
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: join(session.dir, 'inbox') });
    await trainedRun(session.serve);
  }, 300_000);

  it('10: at 800×600 the grid shows several columns; folding the panels gives it more, and a reload keeps them folded', async () => {
    const page = await session.browser.newPage({ viewport: { width: 800, height: 600 } });
    await open(page, session.serve.url);
    expect(await columns(page)).toBeGreaterThanOrEqual(3);
    expect(await offScreen(page)).toEqual([]);
    await page.screenshot({ path: join(RESULTS_DIR, 'windows-10-800x600.png') });
    const before = await columns(page);
    await page.getByTestId('fold-filters').click();
    await expect.poll(() => columns(page)).toBeGreaterThan(before);
    await page.reload();
    await page.locator('[data-testid="photo-tile"]').first().waitFor();
    await page.getByTestId('filters-rail').waitFor();
    expect(await columns(page)).toBeGreaterThan(before);
    await page.getByTestId('unfold-filters').click();
    await page.getByTestId('filters-panel').waitFor();
    await page.close();
  });

  it('10: at 640 px wide, the header and the rest stay on the screen', async () => {
    const page = await session.browser.newPage({ viewport: { width: 640, height: 600 } });
    await open(page, session.serve.url);
    // The engine's labels are the widest thing in the status bar: wait until they are in.
    await expect.poll(() => page.getByTestId('engine-status').getAttribute('title'), { timeout: 60_000 }).toContain('Training:');
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(640);
    expect(await offScreen(page)).toEqual([]);
    for (const name of ['Add folder', 'Keyboard shortcuts']) expect(await page.getByRole('button', { name }).isVisible()).toBe(true);
    await page.screenshot({ path: join(RESULTS_DIR, 'windows-10-640.png') });
    await page.close();
  });

  it('11: the Library, Train and Runs views use no developer words', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, session.serve.url);
    await page.locator('[data-testid="filter-item"][data-filter="uncertain"]').click();
    await page.waitForTimeout(500);
    const texts = [await page.locator('body').innerText()];
    await page.getByTestId('tab-train').click();
    await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor();
    texts.push(await page.locator('body').innerText());
    await page.getByTestId('tab-runs').click();
    await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor();
    texts.push(await page.locator('body').innerText());
    for (const text of texts) {
      const found = text.match(DEVELOPER_WORDS);
      const around = found ? text.slice(Math.max(0, (found.index ?? 0) - 80), (found.index ?? 0) + 80) : '';
      expect(found?.[0] ?? null, around).toBeNull();
    }
    // The technical detail is still there for whoever looks: in the engine's tooltip.
    // (The engine is probed in the training process; the tooltip fills in once that answers.)
    await expect
      .poll(() => page.getByTestId('engine-status').getAttribute('title'), { timeout: 60_000 })
      .toContain('@tensorflow/tfjs-node');
    await page.close();
  });

  it('the theme: dark chosen in the title bar is still dark after a reload', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    await open(page, session.serve.url);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await background();
    while ((await page.getByTestId('theme-toggle').getAttribute('data-theme-choice')) !== 'dark')
      await page.getByTestId('theme-toggle').click();
    await expect.poll(background).not.toBe(light);
    const dark = await background();
    await page.reload();
    await page.locator('[data-testid="photo-tile"]').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).toBe(dark);
    await page.screenshot({ path: join(RESULTS_DIR, 'windows-theme-dark.png') });
    // Back to following the system, which here is light.
    while ((await page.getByTestId('theme-toggle').getAttribute('data-theme-choice')) !== 'system')
      await page.getByTestId('theme-toggle').click();
    await expect.poll(background).toBe(light);
    await page.close();
  });
});
