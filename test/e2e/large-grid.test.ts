/**
 * The grid with 20,000 photos in Chromium (serve mode): scrolling from top to bottom keeps
 * only a bounded number of thumbnails in the DOM, and the last photo is reachable.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchBrowser } from '../helpers/browser';
import { REPO_ROOT, startServe, type ServeHandle } from '../helpers/serve';
import { ensureLargeProject, LARGE_COUNT } from './large-project';

const RESULTS = resolve(REPO_ROOT, 'test-results');
/** Most tiles (real or placeholder) the DOM may hold at once. */
const MAX_TILES = 400;

describe.skipIf(!chromiumAvailable())('a 20,000-photo grid in Chromium (serve mode)', () => {
  let serve: ServeHandle;
  let browser: Browser;

  beforeAll(async () => {
    const large = await ensureLargeProject((line) => console.log(line));
    serve = await startServe({ project: large.project, extraArgs: ['--user-data', large.userData] });
    browser = await launchBrowser();
  }, 1_200_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('keeps the number of thumbnails in the DOM bounded from top to bottom', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(serve.url);
    await page.locator('[data-testid="photo-tile"]').first().waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('grid-info').innerText()).toContain('20,000 photos');

    const counts = await page.evaluate(async () => {
      const grid = document.querySelector<HTMLElement>('[data-testid="photo-grid"]')!;
      const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
      const seen: number[] = [];
      const tiles = () => grid.querySelectorAll('[data-testid="photo-tile"], [data-testid="photo-placeholder"]').length;
      while (grid.scrollTop + grid.clientHeight < grid.scrollHeight - 1) {
        grid.scrollTop += grid.clientHeight * 2;
        await frame();
        seen.push(tiles());
      }
      return seen;
    });
    expect(counts.length).toBeGreaterThan(100);
    expect(Math.max(...counts)).toBeLessThan(MAX_TILES);

    const last = page.locator(`[data-testid="photo-tile"][data-index="${LARGE_COUNT - 1}"]`);
    await last.waitFor({ timeout: 30_000 });
    expect(await last.getAttribute('data-photo-id')).not.toBeNull();
    const inDom = await page.locator('[data-testid="photo-tile"]').count();
    expect(inDom).toBeLessThan(MAX_TILES);
    await expect
      .poll(() => last.locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 30_000 })
      .toBeGreaterThan(0);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'large-grid-bottom.png') });
  });
});
