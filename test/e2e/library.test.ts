/**
 * The library in Chromium against the real serve mode: add the hymenoptera folder with
 * classes from folder names through the UI, see the classes and photos, reload, same again.
 */
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../helpers/browser';
import { RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { REPO_ROOT } from '../helpers/serve';

const HYMENOPTERA = resolve(REPO_ROOT, '../shared/datasets/hymenoptera');
const RESULTS = RESULTS_DIR;

async function classCount(page: Page, name: string): Promise<string> {
  return (await page.locator(`[data-testid="class-item"][data-class-name="${name}"] [data-testid="class-count"]`).textContent()) ?? '';
}

async function expectLibrary(page: Page): Promise<void> {
  await page.locator('[data-testid="class-item"][data-class-name="ants"]').waitFor();
  await expect.poll(() => classCount(page, 'ants'), { timeout: 30_000 }).toBe('194');
  await expect.poll(() => classCount(page, 'bees'), { timeout: 30_000 }).toBe('204');
  await expect.poll(() => page.locator('[data-testid="photo-tile"]').count(), { timeout: 30_000 }).toBeGreaterThan(10);
  await expect.poll(() => page.locator('[data-testid="status-counts"]').innerText()).toMatch(/398\s+labeled/);
  const labels = await page.locator('[data-testid="photo-tile"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
  expect(labels.every((l) => l === 'ants' || l === 'bees')).toBe(true);
}

describe.skipIf(!chromiumAvailable())('library in Chromium (serve mode)', () => {
  const session = useServeSession('library');
  let page: Page;

  it('imports hymenoptera with folder classes and shows the same after a reload', async () => {
    page = await session.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(session.serve.url);
    await page.getByTestId('add-folder').click();
    await page.getByTestId('add-folder-path').fill(HYMENOPTERA);
    await page.getByTestId('classes-from-folders').check();
    await page.getByTestId('add-folder-submit').click();
    await expectLibrary(page);
    // The token left the address bar but stays for reloads.
    expect(page.url()).not.toContain('token=');

    await page.reload();
    await expectLibrary(page);
    await expect
      .poll(() =>
        page
          .locator('[data-testid="photo-tile"] img')
          .first()
          .evaluate((img) => (img as HTMLImageElement).naturalWidth)
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(RESULTS, 'library.png') });
    expect(errors).toEqual([]);
  });

  it('filters by split, class and file name with live counts', async () => {
    const info = () => page.getByTestId('grid-info').innerText();
    await page.locator('[data-testid="filter-item"][data-filter="split:val"]').click();
    await expect.poll(info).toBe('153 photos');
    await page.locator('[data-testid="filter-item"][data-class-name="bees"]').click();
    await expect.poll(info).toBe('204 photos');
    expect(
      await page.locator('[data-testid="photo-tile"]').evaluateAll((els) => els.every((e) => e.getAttribute('data-label') === 'bees'))
    ).toBe(true);
    await page.getByTestId('search').fill('0013035');
    await expect.poll(info).toBe('0 photos');
    await page.locator('[data-testid="filter-item"][data-filter="all"]').click();
    await expect.poll(info).toBe('1 photo');
    await page.getByTestId('search').fill('');
    await expect.poll(info).toBe('398 photos');
  });

  it('reorders classes by dragging one onto another', async () => {
    const order = () => page.locator('[data-testid="class-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-class-name')));
    expect(await order()).toEqual(['ants', 'bees']);
    await page
      .locator('[data-testid="class-item"][data-class-name="bees"]')
      .dragTo(page.locator('[data-testid="class-item"][data-class-name="ants"]'), {
        targetPosition: { x: 40, y: 3 }
      });
    await expect.poll(order).toEqual(['bees', 'ants']);
    await page.reload();
    await page.locator('[data-testid="class-item"]').first().waitFor();
    await expect.poll(order).toEqual(['bees', 'ants']);
  });

  it('creates a new empty project and opens the first one again (serve mode dialogs)', async () => {
    await page.getByTestId('project-new').click();
    await page.getByTestId('project-path').fill(join(session.dir, 'second.tstudio'));
    await page.getByTestId('project-submit').click();
    await expect.poll(() => page.getByTestId('project-name').innerText()).toBe('second');
    await page.getByTestId('empty-state').waitFor();
    expect(await page.locator('[data-testid="photo-tile"]').count()).toBe(0);
    expect(await page.locator('[data-testid="class-item"]').count()).toBe(0);

    await page.getByTestId('project-open').click();
    await page.getByTestId('project-path').fill(join(session.dir, 'library.tstudio'));
    await page.getByTestId('project-submit').click();
    await expect.poll(() => page.getByTestId('project-name').innerText()).toBe('library');
    await expectLibrary(page);
  });
});
