/**
 * The real desktop app, through Playwright's Electron driver, on one whole journey: it opens
 * (creating) the project named by TSTUDIO_PROJECT, a folder of generated photos is imported,
 * two classes are made and photos labeled with the keyboard, a run trains with the app's
 * default (bundled) backbone, and the result shows: accuracy, and suggestions for the photos
 * left unlabeled. The selectors are the serve-mode end-to-end tests' own.
 *
 * Runs only where the Electron binary was downloaded, better-sqlite3 was built for it
 * (scripts/prepare-electron.mjs) and, on Linux, there is a display (CI runs it under
 * xvfb-run); elsewhere it reports itself skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawSyntheticPhotos } from '../integration/training/synthetic-photos';
import { RESULTS_DIR } from '../helpers/e2e-session';
import { REPO_ROOT } from '../helpers/serve';

/** The Electron executable electron's install.js downloaded, or null with the reason. */
function electronExecutable(): { path: string | null; reason: string } {
  const dir = join(REPO_ROOT, 'node_modules/electron');
  try {
    const exe = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
    if (!existsSync(exe)) return { path: null, reason: `${exe} is missing` };
    // Without the Electron-ABI build the app cannot open its database.
    if (!existsSync(join(REPO_ROOT, '.native/electron/better_sqlite3.node'))) {
      return { path: null, reason: 'better-sqlite3 has not been built for Electron (.native/electron/better_sqlite3.node)' };
    }
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      return { path: null, reason: 'there is no display (run it under xvfb-run)' };
    }
    return { path: exe, reason: '' };
  } catch {
    return { path: null, reason: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
  }
}

const electronBinary = electronExecutable();
if (electronBinary.path === null) {
  console.info(`Electron smoke test skipped: ${electronBinary.reason}. Run \`node scripts/prepare-electron.mjs\` where downloads work.`);
}

/** Photos per class; the third class (triangles) stays unlabeled and gets suggestions. */
const PER_CLASS = 8;

/** Labels every photo whose name contains `name` with the class on hotkey `key`: search, select all, key. */
async function labelBySearch(page: Page, name: string, key: string): Promise<void> {
  await page.getByTestId('search').fill(name);
  // The grid shows the search's photos (the previous search had as many: check names, not the count).
  await expect.poll(() => page.getByTestId('grid-info').innerText()).toMatch(new RegExp(`^${PER_CLASS} photos`));
  for (const index of [0, PER_CLASS - 1]) {
    await expect.poll(() => page.locator(`[data-testid="photo-tile"][data-index="${index}"]`).innerText()).toContain(name);
  }
  await page.locator('[data-testid="photo-tile"][data-index="0"]').click();
  await page.keyboard.press('ControlOrMeta+a');
  await expect.poll(() => page.getByTestId('grid-info').innerText()).toMatch(new RegExp(`${PER_CLASS} selected`));
  await page.keyboard.press(key);
  await expect
    .poll(() => page.locator(`[data-testid="class-item"][data-class-name="${name}"] [data-testid="class-count"]`).innerText())
    .toBe(String(PER_CLASS));
}

describe.skipIf(electronBinary.path === null)('Electron app: open, import, label, train, see the result', () => {
  let dir: string;
  let photos: string;
  let app: ElectronApplication;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: REPO_ROOT,
      encoding: 'utf8'
    });
    if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'tstudio-electron-'));
    photos = await drawSyntheticPhotos(join(dir, 'photos'), { perClass: PER_CLASS, size: 128 });
    app = await electron.launch({
      executablePath: electronBinary.path!,
      args: [REPO_ROOT],
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TSTUDIO_USER_DATA: join(dir, 'user'),
        TSTUDIO_PROJECT: join(dir, 'smoke.tstudio'),
        ELECTRON_DISABLE_SECURITY_WARNINGS: 'true'
      },
      timeout: 60_000
    });
  });

  afterAll(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens one window on the project, with only the preload bridge in reach', async () => {
    const window = await app.firstWindow();
    await window.waitForLoadState('domcontentloaded');
    expect(app.windows()).toHaveLength(1);
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle()))
      .toBe('smoke — Transfer Studio');
    await expect.poll(() => window.getByTestId('project-name').textContent(), { timeout: 30_000 }).toBe('smoke');
    const surface = await window.evaluate(() => ({
      bridge: Object.keys((window as unknown as { transferStudio: object }).transferStudio).sort(),
      node: typeof (globalThis as { require?: unknown }).require
    }));
    expect(surface).toEqual({ bridge: ['invoke', 'on', 'pathForFile'], node: 'undefined' });
    await expect.poll(() => window.getByTestId('engine-label').innerText(), { timeout: 120_000 }).toMatch(/CPU|GPU/);
  });

  it('imports a folder and labels two classes with the keyboard', async () => {
    const page = await app.firstWindow();
    await page.getByTestId('add-folder').click();
    await page.getByTestId('add-folder-path').fill(photos);
    await page.getByTestId('add-folder-submit').click();
    const total = 3 * PER_CLASS;
    await expect
      .poll(() => page.getByTestId('status-counts').innerText(), { timeout: 120_000 })
      .toMatch(new RegExp(`0\\s+labeled\\s+${total}\\s+unlabeled\\s+${total}\\s+total`));
    await page.getByTestId('import-progress').waitFor({ state: 'detached', timeout: 120_000 });
    for (const name of ['circles', 'squares']) {
      await page.getByTestId('class-add-name').fill(name);
      await page.getByTestId('class-add-submit').click();
      await page.locator(`[data-testid="class-item"][data-class-name="${name}"]`).waitFor();
    }
    await labelBySearch(page, 'circles', '1');
    await labelBySearch(page, 'squares', '2');
    await page.getByTestId('search').fill('');
    await expect
      .poll(() => page.getByTestId('status-counts').innerText())
      .toMatch(new RegExp(`${2 * PER_CLASS}\\s+labeled\\s+${PER_CLASS}\\s+unlabeled`));
    await page.screenshot({ path: join(RESULTS_DIR, 'electron-labeled.png') });
  });

  it('trains with the default backbone and shows the accuracy and suggestions for the unlabeled photos', async () => {
    const page = await app.firstWindow();
    await page.getByTestId('tab-train').click();
    await expect.poll(() => page.locator('[data-testid="train-plan-row"]').count()).toBe(2);
    // The default backbone is ready: Train is not blocked.
    await expect.poll(() => page.getByTestId('train-start').isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('train-blocker').count()).toBe(0);
    await page.getByTestId('train-start').click();
    await page.getByTestId('training-progress').waitFor();
    await expect.poll(() => page.getByTestId('training-progress').getAttribute('data-phase'), { timeout: 900_000 }).toBe('completed');
    await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('run-accuracy').innerText()).toMatch(/%$/);
    await page.screenshot({ path: join(RESULTS_DIR, 'electron-trained.png'), fullPage: true });
    await page.getByTestId('tab-library').click();
    await page.locator('[data-testid="filter-item"][data-filter="uncertain"]').click();
    await expect.poll(() => page.getByTestId('grid-info').innerText(), { timeout: 30_000 }).toMatch(new RegExp(`^${PER_CLASS} photos`));
    await expect
      .poll(() => page.locator('[data-testid="photo-tile"][data-index="0"]').getAttribute('data-suggested'))
      .toMatch(/^(circles|squares)$/);
  }, 1_200_000);
});
