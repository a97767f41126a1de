/**
 * Screenshots of the main views for people to look at (not a test): Library with suggestions,
 * the accepted-from-the-model filter, the preview, Train, Runs and the dialogs, in the light and
 * the dark theme, at 1440×900 and at 800×600 (the window minimum), plus the header at 640 px.
 * Real serve mode and Chromium on hymenoptera with a model trained by the app.
 *
 *   npx tsx test/e2e/ui-screenshots.ts [--dir DIR]
 *
 * With --dir, the project (and its trained model) is kept in DIR and reused by the next run.
 * The PNGs go to test-results/screens/ (ignored by git).
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { ClassDto, ImportResult, PhotoPage, RunSummary } from '../../src/shared/dto';
import { launchBrowser } from '../helpers/browser';
import { invokeApi } from '../helpers/e2e-session';
import { REPO_ROOT, startServe, type ServeHandle } from '../helpers/serve';

const SHARED = resolve(REPO_ROOT, '../shared');
const HYMENOPTERA = join(SHARED, 'datasets/hymenoptera');
const TM_BASE = join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');
const OUT = resolve(REPO_ROOT, 'test-results/screens');

async function prepare(serve: ServeHandle): Promise<void> {
  const runs = await invokeApi<RunSummary[]>(serve, 'training:runs');
  if (runs.some((r) => r.status === 'completed')) return;
  await invokeApi<ImportResult>(serve, 'folders:add', { path: HYMENOPTERA, classesFromFolders: true });
  const train = await invokeApi<PhotoPage>(serve, 'photos:page', { filter: { kind: 'split', split: 'train' }, offset: 0, limit: 40 });
  await invokeApi(serve, 'labels:assign', { photoIds: train.items.map((p) => p.id), classId: null });
  const { runId } = await invokeApi<{ runId: number }>(serve, 'training:start', { weightsPath: TM_BASE, inputSize: 224 });
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const run = (await invokeApi<RunSummary[]>(serve, 'training:runs')).find((r) => r.id === runId);
    if (run?.status !== 'running') break;
  }
  const suggestions = await invokeApi<{ items: { photoId: number }[] }>(serve, 'predictions:list', { order: 'most-certain', limit: 4 });
  await invokeApi(serve, 'predictions:accept', { photoIds: suggestions.items.slice(0, 3).map((s) => s.photoId) });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(OUT, `${name}.png`) });
}

async function filter(page: Page, key: string): Promise<void> {
  const row = page.locator(`[data-testid="filter-item"][data-filter="${key}"]`);
  if (!(await row.isVisible())) await page.getByTestId('unfold-filters').click();
  await row.click();
  await page.waitForTimeout(500);
}

async function views(page: Page, serve: ServeHandle, prefix: string): Promise<void> {
  await page.goto(serve.url);
  await page.locator('[data-testid="photo-tile"]').first().waitFor();
  await shot(page, `${prefix}-library`);
  await filter(page, 'uncertain');
  await shot(page, `${prefix}-library-suggestions`);
  await page.getByTestId('accept-threshold').fill('90');
  await page.getByTestId('accept-all').click();
  await page.getByTestId('accept-confirm').waitFor();
  await shot(page, `${prefix}-dialog-accept-all`);
  await page.keyboard.press('Escape');
  await page.locator('[data-testid="photo-tile"]').first().click();
  await page.keyboard.press(' ');
  await page.getByTestId('preview').waitFor();
  await shot(page, `${prefix}-preview-suggestion`);
  await page.keyboard.press('Escape');
  await filter(page, 'accepted');
  await shot(page, `${prefix}-library-accepted`);
  await page.locator('[data-testid="photo-tile"]').first().click();
  await page.keyboard.press(' ');
  await shot(page, `${prefix}-preview-accepted`);
  await page.keyboard.press('Escape');
  await page.keyboard.press('?');
  await shot(page, `${prefix}-dialog-shortcuts`);
  await page.keyboard.press('Escape');
  await page.getByTestId('add-folder').click();
  await page.getByTestId('add-folder-path').fill('/no/such/folder');
  await page.getByTestId('add-folder-submit').click();
  await page.getByTestId('add-folder-error').waitFor();
  await shot(page, `${prefix}-dialog-add-folder-error`);
  await page.keyboard.press('Escape');
  await page.getByTestId('tab-train').click();
  await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor();
  await shot(page, `${prefix}-train`);
  await page.getByTestId('tab-runs').click();
  await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor();
  await page.getByTestId('export-path').fill(HYMENOPTERA);
  await page.getByTestId('export-submit').click();
  await page.getByTestId('export-error').waitFor();
  await shot(page, `${prefix}-runs-export-not-empty`);
  await page.locator('.detail').evaluate((el) => el.scrollTo(0, 0));
  await shot(page, `${prefix}-runs`);
}

async function main(): Promise<void> {
  const dirArg = process.argv.indexOf('--dir');
  const dir = dirArg > 0 ? resolve(process.argv[dirArg + 1]) : mkdtempSync(join(tmpdir(), 'tstudio-screens-'));
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  mkdirSync(OUT, { recursive: true });
  const serve = await startServe({ project: join(dir, 'screens.tstudio'), extraArgs: ['--user-data', join(dir, 'user')] });
  let browser: Browser | null = null;
  try {
    await prepare(serve);
    browser = await launchBrowser();
    for (const theme of ['light', 'dark'] as const) {
      for (const [width, height] of [
        [1440, 900],
        [800, 600]
      ]) {
        const context = await browser.newContext({ viewport: { width, height } });
        await context.addInitScript(
          ([t, weights]) => {
            localStorage.setItem('transferStudio.theme', t);
            localStorage.setItem('transferStudio.trainOptions', JSON.stringify({ weightsPath: weights }));
          },
          [theme, TM_BASE] as const
        );
        const page = await context.newPage();
        page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
        await views(page, serve, `${theme}-${width}x${height}`);
        await context.close();
      }
    }
    const narrow = await browser.newPage({ viewport: { width: 640, height: 600 } });
    await narrow.addInitScript(() => localStorage.setItem('transferStudio.panels', JSON.stringify({ filters: false, classes: false })));
    await narrow.goto(serve.url);
    await narrow.locator('[data-testid="photo-tile"]').first().waitFor();
    await shot(narrow, 'light-640x600-library');
    const classes = await invokeApi<ClassDto[]>(serve, 'classes:list');
    console.log(`Screenshots in ${OUT} (project ${dir}, classes ${classes.map((c) => c.name).join(', ')})`);
  } finally {
    await browser?.close();
    await serve.stop();
  }
}

await main();
