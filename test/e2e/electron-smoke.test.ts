/**
 * Smoke test of the real desktop app through Playwright's Electron driver: the window opens on
 * the project given in TSTUDIO_PROJECT, its title names that project, and the renderer (over the
 * preload bridge) shows it. Runs only where the Electron binary was downloaded; elsewhere it
 * reports itself skipped with the reason.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    return { path: exe, reason: '' };
  } catch {
    return { path: null, reason: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
  }
}

const electronBinary = electronExecutable();
if (electronBinary.path === null) {
  console.info(`Electron smoke test skipped: ${electronBinary.reason}. Run \`node scripts/prepare-electron.mjs\` where downloads work.`);
}

describe.skipIf(electronBinary.path === null)('Electron app (smoke)', () => {
  let dir: string;
  let app: ElectronApplication;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
      cwd: REPO_ROOT,
      encoding: 'utf8'
    });
    if (build.status !== 0) throw new Error(`electron-vite build failed:\n${build.stderr}`);
    dir = mkdtempSync(join(tmpdir(), 'tstudio-electron-'));
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

  it('opens one window titled after the project', async () => {
    const window = await app.firstWindow();
    await window.waitForLoadState('domcontentloaded');
    expect(app.windows()).toHaveLength(1);
    await expect
      .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle()))
      .toBe('smoke — Transfer Studio');
  });

  it('shows the project in the renderer through the preload bridge', async () => {
    const window = await app.firstWindow();
    await expect.poll(() => window.getByTestId('project-name').textContent(), { timeout: 30_000 }).toBe('smoke');
    // The bridge exposes exactly invoke, on and pathForFile; Node is out of reach.
    const surface = await window.evaluate(() => ({
      bridge: Object.keys((window as unknown as { transferStudio: object }).transferStudio).sort(),
      node: typeof (globalThis as { require?: unknown }).require
    }));
    expect(surface).toEqual({ bridge: ['invoke', 'on', 'pathForFile'], node: 'undefined' });
  });
});
