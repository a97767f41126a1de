/**
 * Keyboard-only labeling in Chromium against the real serve mode: hymenoptera imported
 * without folder classes, classes made in the UI, 20 photos labeled (half in the grid, half
 * with label-and-advance in the preview), undo two, redo one, reload: exactly those labels.
 */
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ClassDto, PhotoPage, ProjectStats } from '../../src/shared/dto';
import { chromiumAvailable } from '../helpers/browser';
import { invokeApi, RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { REPO_ROOT, type ServeHandle } from '../helpers/serve';

const HYMENOPTERA = resolve(REPO_ROOT, '../shared/datasets/hymenoptera');
const RESULTS = RESULTS_DIR;

/** Class name of each of the first `n` photos in name order ('' when unlabeled), from the API. */
async function labelsFromApi(serve: ServeHandle, n: number): Promise<string[]> {
  const classes = await invokeApi<ClassDto[]>(serve, 'classes:list');
  const names = new Map(classes.map((c) => [c.id, c.name]));
  const page = await invokeApi<PhotoPage>(serve, 'photos:page', { sort: 'name', offset: 0, limit: n });
  return page.items.map((p) => (p.classId === null ? '' : (names.get(p.classId) ?? '?')));
}

async function labelsFromGrid(page: Page, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push((await page.locator(`[data-testid="photo-tile"][data-index="${i}"]`).getAttribute('data-label')) ?? '?');
  return out;
}

async function addClass(page: Page, name: string): Promise<void> {
  await page.getByTestId('class-add-name').fill(name);
  await page.getByTestId('class-add-submit').click();
  await page.locator(`[data-testid="class-item"][data-class-name="${name}"]`).waitFor();
}

describe.skipIf(!chromiumAvailable())('keyboard labeling in Chromium (serve mode)', () => {
  const session = useServeSession('labeling');

  it('labels 20 photos with the keyboard, undoes two, redoes one, and keeps exactly that after a reload', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(session.serve.url);
    await page.getByTestId('add-folder').click();
    await page.getByTestId('add-folder-path').fill(HYMENOPTERA);
    await page.getByTestId('add-folder-submit').click();
    await expect
      .poll(() => page.getByTestId('status-counts').innerText(), { timeout: 120_000 })
      .toMatch(/0\s+labeled\s+398\s+unlabeled\s+398\s+total/);
    await page.getByTestId('import-progress').waitFor({ state: 'detached', timeout: 120_000 });
    expect((await invokeApi<ProjectStats>(session.serve, 'stats:get')).labeled).toBe(0);

    await addClass(page, 'ants');
    await addClass(page, 'bees');
    await page.locator('[data-testid="photo-tile"][data-index="0"]').waitFor();
    await page.getByTestId('status-counts').click(); // leave the text field; keyboard only from here

    // Grid: label the focused photo, step right; ants/bees alternating.
    const keys = ['1', '2', '1', '1', '2', '2', '1', '2', '1', '1'];
    for (const key of keys) {
      await page.keyboard.press(key);
      await page.keyboard.press('ArrowRight');
    }
    await page.screenshot({ path: join(RESULTS, 'labeling-library.png') });
    // Preview: label and advance through ten more.
    await page.keyboard.press('Enter');
    await page.getByTestId('preview').waitFor();
    const previewKeys = ['2', '2', '1', '2', '1', '1', '2', '1', '2', '1'];
    for (const [i, key] of previewKeys.entries()) {
      await expect.poll(() => page.getByTestId('preview').getAttribute('data-photo-id')).not.toBeNull();
      if (i === 5) {
        await expect
          .poll(
            () =>
              page
                .locator('[data-testid="preview"] img')
                .evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0),
            { timeout: 15_000 }
          )
          .toBe(true);
        await page.screenshot({ path: join(RESULTS, 'labeling-preview.png') });
      }
      await page.keyboard.press(key);
    }
    await page.keyboard.press('Escape');
    await page.getByTestId('preview').waitFor({ state: 'detached' });

    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+Shift+z');

    const name = (k: string) => (k === '1' ? 'ants' : 'bees');
    const expected: string[] = [...keys, ...previewKeys].map(name);
    expected[19] = ''; // the second undo stays undone
    await expect.poll(() => labelsFromApi(session.serve, 21), { timeout: 15_000 }).toEqual([...expected, '']);
    await expect.poll(() => page.getByTestId('status-counts').innerText()).toMatch(/19\s+labeled/);

    await page.keyboard.press('?');
    await page.getByTestId('shortcut-help').waitFor();
    await page.screenshot({ path: join(RESULTS, 'labeling-shortcut-help.png') });
    await page.keyboard.press('Escape');

    await page.reload();
    await page.locator('[data-testid="photo-tile"][data-index="20"]').waitFor();
    // Tiles render as soon as their page arrives; their labels may land a frame later.
    await expect.poll(() => labelsFromGrid(page, 21), { timeout: 15_000 }).toEqual([...expected, '']);
    expect(await labelsFromApi(session.serve, 21)).toEqual([...expected, '']);
    await expect
      .poll(() => page.locator('[data-testid="class-item"][data-class-name="ants"] [data-testid="class-count"]').innerText())
      .toBe(String(expected.filter((l) => l === 'ants').length));
  });
});
