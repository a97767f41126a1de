/**
 * Keyboard-only labeling in Chromium against the real serve mode: hymenoptera imported
 * without folder classes, classes made in the UI, 20 photos labeled (half in the grid, half
 * with label-and-advance in the preview), undo two, redo one, reload: exactly those labels.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassDto, PhotoPage, ProjectStats } from '../../src/shared/dto';
import { chromiumAvailable, launchBrowser } from '../helpers/browser';
import { REPO_ROOT, startServe, type ServeHandle } from '../helpers/serve';

const HYMENOPTERA = resolve(REPO_ROOT, '../shared/datasets/hymenoptera');
const RESULTS = resolve(REPO_ROOT, 'test-results');

async function api<T>(serve: ServeHandle, channel: string, req: unknown = {}): Promise<T> {
  const res = await fetch(`${serve.origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${serve.token}` },
    body: JSON.stringify(req)
  });
  const env = (await res.json()) as { ok: boolean; data: T; error?: { message: string } };
  if (!env.ok) throw new Error(env.error?.message);
  return env.data;
}

/** Class name of each of the first `n` photos in name order ('' when unlabeled), from the API. */
async function labelsFromApi(serve: ServeHandle, n: number): Promise<string[]> {
  const classes = await api<ClassDto[]>(serve, 'classes:list');
  const names = new Map(classes.map((c) => [c.id, c.name]));
  const page = await api<PhotoPage>(serve, 'photos:page', { sort: 'name', offset: 0, limit: n });
  return page.items.map((p) => (p.classId === null ? '' : names.get(p.classId) ?? '?'));
}

async function labelsFromGrid(page: Page, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await page.locator(`[data-testid="photo-tile"][data-index="${i}"]`).getAttribute('data-label')) ?? '?');
  return out;
}

async function addClass(page: Page, name: string): Promise<void> {
  await page.getByTestId('class-add-name').fill(name);
  await page.getByTestId('class-add-submit').click();
  await page.locator(`[data-testid="class-item"][data-class-name="${name}"]`).waitFor();
}

describe.skipIf(!chromiumAvailable())('keyboard labeling in Chromium (serve mode)', () => {
  let dir: string;
  let serve: ServeHandle;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-labeling-'));
    serve = await startServe({ project: join(dir, 'labeling.tstudio') });
    browser = await launchBrowser();
    mkdirSync(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('labels 20 photos with the keyboard, undoes two, redoes one, and keeps exactly that after a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(serve.url);
    await page.getByTestId('add-folder').click();
    await page.getByTestId('add-folder-path').fill(HYMENOPTERA);
    await page.getByTestId('add-folder-submit').click();
    await expect.poll(() => page.getByTestId('status-counts').innerText(), { timeout: 120_000 }).toMatch(/0\s+labeled\s+398\s+unlabeled\s+398\s+total/);
    await page.getByTestId('import-progress').waitFor({ state: 'detached', timeout: 120_000 });
    expect((await api<ProjectStats>(serve, 'stats:get')).labeled).toBe(0);

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
          .poll(() => page.locator('[data-testid="preview"] img').evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), { timeout: 15_000 })
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
    await expect.poll(() => labelsFromApi(serve, 21), { timeout: 15_000 }).toEqual([...expected, '']);
    await expect.poll(() => page.getByTestId('status-counts').innerText()).toMatch(/19\s+labeled/);

    await page.keyboard.press('?');
    await page.getByTestId('shortcut-help').waitFor();
    await page.screenshot({ path: join(RESULTS, 'labeling-shortcut-help.png') });
    await page.keyboard.press('Escape');

    await page.reload();
    await page.locator('[data-testid="photo-tile"][data-index="20"]').waitFor();
    expect(await labelsFromGrid(page, 21)).toEqual([...expected, '']);
    expect(await labelsFromApi(serve, 21)).toEqual([...expected, '']);
    await expect.poll(() => page.locator('[data-testid="class-item"][data-class-name="ants"] [data-testid="class-count"]').innerText()).toBe(
      String(expected.filter((l) => l === 'ants').length)
    );
  });
});
