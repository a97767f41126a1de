/**
 * The Electron shell's entry (bundled by electron-vite to out/main/index.js): one window, the
 * menu, the IPC adapter and the two custom schemes, over the same App as serve mode and CLI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, dialog, utilityProcess, type BrowserWindow } from 'electron';
import { toErrorPayload } from '../../shared/errors';
import type { ProjectInfo } from '../../shared/dto';
import { createApp, defaultProjectPath, type App as Studio, type AppOptions } from '../services/app';
import { utilityProcessStrategy } from '../worker/launcher';
import { forwardEvents, registerIpcAdapter } from './ipc';
import { installMenu } from './menu';
import { registerPhotoProtocol, registerRendererProtocol } from './protocols';
import { registerPrivilegedSchemes } from './schemes';
import { readSettings, rememberProject } from './settings';
import { applyDevServerCsp, createMainWindow, denyPermissions, preloadPath, rendererOrigin } from './window';

const PRODUCT = 'Transfer Studio';
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

// Tests and portable setups point the shell at their own folder.
if (process.env.TSTUDIO_USER_DATA) app.setPath('userData', process.env.TSTUDIO_USER_DATA);

registerPrivilegedSchemes();

let mainWindow: BrowserWindow | null = null;
let studio: Studio | null = null;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow === null) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    studio?.close();
    studio = null;
  });
  app.whenReady().then(start).catch(fatal);
}

function start(): void {
  const userData = app.getPath('userData');
  const current = openStudio(userData);
  studio = current;
  const getStudio = (): Studio => current;
  const getWindow = (): BrowserWindow | null => mainWindow;
  denyPermissions();
  registerRendererProtocol(join(import.meta.dirname, '../renderer'));
  registerPhotoProtocol(getStudio);
  registerIpcAdapter({ window: getWindow, studio: getStudio, rendererOrigin: rendererOrigin({ devServerUrl }) });
  forwardEvents(current, getWindow);
  if (devServerUrl) applyDevServerCsp(devServerUrl);
  current.events.on('project:changed', (project) => onProjectChanged(userData, project));
  installMenu({ studio: getStudio, window: getWindow });
  mainWindow = createMainWindow({ preloadPath: preloadPath(import.meta.dirname), devServerUrl, title: titleFor(current.project()) });
  // The title names the project; the page's <title> must not replace it.
  mainWindow.on('page-title-updated', (event) => event.preventDefault());
  mainWindow.on('closed', () => (mainWindow = null));
  void rememberProject(userData, current.project().path);
}

/**
 * Opens the project named by TSTUDIO_PROJECT, else the last one used, else the default. A last
 * project that no longer opens is reported and replaced by the default one.
 */
function openStudio(userData: string): Studio {
  const wanted = process.env.TSTUDIO_PROJECT ?? readSettings(userData).lastProject;
  const fallback = defaultProjectPath(userData);
  if (wanted && (existsSync(wanted) || process.env.TSTUDIO_PROJECT)) {
    try {
      return createApp(appOptions(userData, wanted));
    } catch (err) {
      dialog.showErrorBox(PRODUCT, `Could not open ${wanted}: ${toErrorPayload(err).message}\nOpening the default project.`);
    }
  }
  return createApp(appOptions(userData, fallback));
}

function appOptions(userData: string, projectPath: string): AppOptions {
  const root = app.getAppPath();
  // The Electron-ABI build from scripts/prepare-electron.mjs; a packaged app has its own.
  const nativeBinding = join(root, '.native/electron/better_sqlite3.node');
  return {
    projectPath,
    cacheDir: join(userData, 'cache'),
    transport: 'electron',
    modelsDir: app.isPackaged ? join(process.resourcesPath, 'models') : join(root, 'resources/models'),
    userModelsDir: join(userData, 'models'),
    nativeBinding: !app.isPackaged && existsSync(nativeBinding) ? nativeBinding : undefined,
    version: app.getVersion(),
    // tfjs-node runs ops synchronously: training gets its own utility process. The app's
    // 'child-process-gone' ends the job of a utility process that crashed without an 'exit'.
    trainingSpawn: utilityProcessStrategy(utilityProcess, join(import.meta.dirname, 'training-worker.js'), app)
  };
}

function onProjectChanged(userData: string, project: ProjectInfo): void {
  mainWindow?.setTitle(titleFor(project));
  rememberProject(userData, project.path).catch((err: unknown) => {
    process.stderr.write(`could not save settings: ${String(err)}\n`);
  });
}

function titleFor(project: ProjectInfo): string {
  return `${project.name} — ${PRODUCT}`;
}

function fatal(err: unknown): void {
  dialog.showErrorBox(PRODUCT, `${PRODUCT} could not start: ${toErrorPayload(err).message}`);
  app.exit(1);
}
