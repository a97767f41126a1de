/** The single app window, with Electron's secure defaults and nothing loosened. */
import { join } from 'node:path';
import { BrowserWindow, session, shell } from 'electron';
import { contentSecurityPolicy } from '../server/security-headers';
import { APP_ORIGIN, originOf } from './schemes';
import { PHOTO_PROTOCOL } from '../../shared/contract';

export interface WindowOptions {
  preloadPath: string;
  /** Vite dev server URL during `npm start`; the packaged renderer otherwise. */
  devServerUrl?: string;
  title: string;
}

export function rendererOrigin(options: Pick<WindowOptions, 'devServerUrl'>): string {
  return options.devServerUrl ? (originOf(options.devServerUrl) ?? APP_ORIGIN) : APP_ORIGIN;
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 800,
    minHeight: 560,
    title: options.title,
    show: false,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false
    }
  });
  lockDownNavigation(win, rendererOrigin(options));
  win.once('ready-to-show', () => win.show());
  if (options.devServerUrl) void win.loadURL(options.devServerUrl);
  else void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

/** No popups, no navigation away; links to the web open in the user's browser instead. */
function lockDownNavigation(win: BrowserWindow, origin: string): void {
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (originOf(url) !== origin) event.preventDefault();
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (originOf(url) !== origin) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * The packaged renderer gets its CSP from the app protocol; the Vite dev server's pages get it
 * here (with its HMR websocket allowed).
 */
export function applyDevServerCsp(devServerUrl: string): void {
  const origin = originOf(devServerUrl) ?? '';
  const ws = origin.replace(/^http/, 'ws');
  const csp = contentSecurityPolicy({ imgSources: [`${PHOTO_PROTOCOL}:`], connectSources: [ws] });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    if (originOf(details.url) === origin) headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
}

/** Denies every permission request (camera, notifications, …): the app needs none. */
export function denyPermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

export function preloadPath(mainDir: string): string {
  return join(mainDir, '../preload/index.cjs');
}
