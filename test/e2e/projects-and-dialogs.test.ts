/**
 * Projects, folders and export in Chromium against the real serve mode (issue 12): another
 * project shows none of the old one's runs (point 2); a folder called "val" is no split unless
 * folder names were asked for (8); the add-folder dialog keeps the typed path on an error, and
 * export asks before writing into a folder that holds something and makes folders with the
 * user's usual permissions (9); an import leaves no "0 / 0" in the status bar (7).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ClassDto, ImportResult, PhotoPage, RunSummary } from '../../src/shared/dto';
import { chromiumAvailable } from '../helpers/browser';
import { invokeApi, RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { copyPhotos, trainedRun } from './small-hymenoptera';

async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('status-counts').waitFor();
}

describe.skipIf(!chromiumAvailable())('projects, folders and export in Chromium (serve mode)', () => {
  const session = useServeSession('projects');
  let run: RunSummary;

  beforeAll(async () => {
    const labeled = join(session.dir, 'labeled');
    for (const cls of ['ants', 'bees']) {
      copyPhotos('train', cls, 0, 8, join(labeled, 'train', cls));
      copyPhotos('val', cls, 0, 3, join(labeled, 'val', cls));
    }
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: labeled, classesFromFolders: true });
    run = await trainedRun(session.serve);
  }, 300_000);

  it('9: the add-folder dialog keeps the typed path and says why it failed', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, session.serve.url);
    const typo = join(session.dir, 'no-such-folder');
    await page.getByTestId('add-folder').click();
    await page.getByTestId('add-folder-path').fill(typo);
    await page.getByTestId('add-folder-submit').click();
    await page.getByTestId('add-folder-error').waitFor();
    expect(await page.getByTestId('add-folder-path').inputValue()).toBe(typo);
    expect(await page.getByTestId('add-folder-error').innerText()).toContain(typo);
    await page.screenshot({ path: join(RESULTS_DIR, 'projects-9-add-folder-error.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('add-folder-dialog').waitFor({ state: 'detached' });
    await page.close();
  });

  it('7 and 8: a folder with a “val” subfolder added without folder names: no split, no “0 / 0” left, its photos train', async () => {
    const inbox = join(session.dir, 'inbox');
    copyPhotos('val', 'ants', 10, 5, join(inbox, 'val'));
    copyPhotos('val', 'bees', 10, 5, inbox);
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, session.serve.url);
    await page.getByTestId('add-folder').click();
    await page.getByTestId('add-folder-path').fill(inbox);
    await page.getByTestId('add-folder-submit').click();
    await page.getByTestId('add-folder-dialog').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.getByTestId('import-progress').count(), { timeout: 10_000 }).toBe(0);
    // A rescan finds nothing new: its thumbnail phase counts 0 of 0, and must not stay on screen.
    await page.getByRole('button', { name: 'Rescan the folders' }).click();
    await expect.poll(() => page.locator('[data-testid="notice"]', { hasText: 'Rescanned' }).count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('import-progress').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.locator('footer').innerText()).not.toContain('0 / 0');
    const stats = await invokeApi<{ splits: Record<string, number> }>(session.serve, 'stats:get');
    expect(stats.splits).toEqual({ train: 16, val: 6 });
    // Label the inbox: ants from its "val" folder, bees from the top.
    const classes = new Map((await invokeApi<ClassDto[]>(session.serve, 'classes:list')).map((c) => [c.name, c.id]));
    const folders = await invokeApi<{ id: number; path: string }[]>(session.serve, 'folders:list');
    const inboxId = folders.find((f) => f.path === inbox)?.id;
    const photos = (await invokeApi<PhotoPage>(session.serve, 'photos:page', { limit: 500 })).items.filter((p) => p.folderId === inboxId);
    expect(photos.every((p) => p.split === null)).toBe(true);
    const inVal = photos.filter((p) => p.relPath.startsWith('val/')).map((p) => p.id);
    const atTop = photos.filter((p) => !p.relPath.startsWith('val/')).map((p) => p.id);
    await invokeApi(session.serve, 'labels:assign', { photoIds: inVal, classId: classes.get('ants') });
    await invokeApi(session.serve, 'labels:assign', { photoIds: atTop, classId: classes.get('bees') });
    await page.getByTestId('tab-train').click();
    // The labeled folder keeps its asked-for splits: 8 + 8 train, 3 + 3 val; the inbox's photos train.
    await expect.poll(() => page.getByTestId('train-plan').innerText()).toMatch(/Total\s+26\s+6/);
    await page.screenshot({ path: join(RESULTS_DIR, 'projects-8-plan.png') });
    await page.close();
  });

  it('9: export asks before writing into a folder that holds something; what it creates has the usual permissions', async () => {
    const busy = join(session.dir, 'my-models');
    mkdirSync(busy);
    writeFileSync(join(busy, 'notes.txt'), 'mine');
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, session.serve.url);
    await page.getByTestId('tab-runs').click();
    await page.locator(`[data-testid="run-results"][data-run-id="${run.id}"][data-status="completed"]`).waitFor();
    await page.getByTestId('export-path').fill(busy);
    await page.getByTestId('export-submit').click();
    await expect.poll(() => page.getByTestId('export-error').innerText()).toContain('is not empty (notes.txt)');
    expect(existsSync(join(busy, 'model'))).toBe(false);
    await page.screenshot({ path: join(RESULTS_DIR, 'projects-9-export-not-empty.png') });
    await page.getByTestId('export-replace').click();
    await page.getByTestId('export-done').waitFor();
    expect(readFileSync(join(busy, 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(busy, 'model', 'model.json'))).toBe(true);
    // A fresh folder: created with the mode a plain mkdir gets here, not owner-only.
    const fresh = join(session.dir, 'exports', 'bees');
    await page.getByTestId('export-path').fill(fresh);
    await page.getByTestId('export-submit').click();
    await expect.poll(() => page.getByTestId('export-done').innerText()).toContain(fresh);
    const probe = join(session.dir, 'probe');
    mkdirSync(probe);
    const plain = statSync(probe).mode & 0o777;
    expect(statSync(join(fresh, 'model')).mode & 0o777).toBe(plain);
    expect(statSync(fresh).mode & 0o777).toBe(plain);
    await page.close();
  });

  it('2: after New project, the Runs and Train views show nothing of the old project, and nothing of it can be exported', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await open(page, session.serve.url);
    await page.getByTestId('tab-runs').click();
    await page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`).click();
    await page.getByTestId('run-export').waitFor();
    await page.getByTestId('project-new').click();
    await page.getByTestId('project-path').fill(join(session.dir, 'second.tstudio'));
    await page.getByTestId('project-submit').click();
    await expect.poll(() => page.getByTestId('project-name').innerText()).toBe('second');
    await page.getByTestId('runs-empty').waitFor();
    expect(await page.locator('[data-testid="run-row"]').count()).toBe(0);
    expect(await page.getByTestId('run-export').count()).toBe(0);
    expect(await page.getByTestId('run-results').count()).toBe(0);
    await page.screenshot({ path: join(RESULTS_DIR, 'projects-2-new-project-runs.png') });
    await page.getByTestId('tab-train').click();
    await page.getByText('No model yet').waitFor();
    await page.getByTestId('tab-library').click();
    expect(await page.locator('[data-testid="model-filters"]').count()).toBe(0);
    await page.close();
  });
});
