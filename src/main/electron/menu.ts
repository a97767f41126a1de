/** The application menu and the native dialogs behind it. */
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { Channel, InvokeEnvelope } from '../../shared/contract';
import type { App as Studio } from '../services/app';

const PROJECT_FILTERS = [{ name: 'Transfer Studio project', extensions: ['tstudio'] }];

export interface MenuContext {
  studio: () => Studio;
  window: () => BrowserWindow | null;
}

export function installMenu(ctx: MenuContext): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'New Project…', accelerator: 'CmdOrCtrl+N', click: () => menuAction(() => newProject(ctx)) },
        { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => menuAction(() => openProject(ctx)) },
        { type: 'separator' },
        { label: 'Add Photo Folder…', accelerator: 'CmdOrCtrl+Shift+A', click: () => menuAction(() => addFolder(ctx)) },
        { label: 'Rescan', accelerator: 'F5', click: () => menuAction(() => run(ctx, 'folders:rescan', {})) },
        { type: 'separator' },
        { role: 'quit' }
      ]
    },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' }
      ]
    },
    { role: 'help', submenu: [{ label: 'About Transfer Studio', click: () => menuAction(() => showAbout(ctx)) }] }
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function newProject(ctx: MenuContext): Promise<void> {
  const result = await withWindow(ctx, (win) =>
    dialog.showSaveDialog(win, { title: 'New Project', defaultPath: 'My photos.tstudio', filters: PROJECT_FILTERS })
  );
  if (result.canceled || !result.filePath) return;
  await run(ctx, 'project:create', { path: result.filePath });
}

async function openProject(ctx: MenuContext): Promise<void> {
  const result = await withWindow(ctx, (win) =>
    dialog.showOpenDialog(win, { title: 'Open Project', properties: ['openFile'], filters: PROJECT_FILTERS })
  );
  const path = result.filePaths[0];
  if (result.canceled || path === undefined) return;
  await run(ctx, 'project:open', { path });
}

async function addFolder(ctx: MenuContext): Promise<void> {
  const picked = await withWindow(ctx, (win) => dialog.showOpenDialog(win, { title: 'Add Photo Folder', properties: ['openDirectory'] }));
  const path = picked.filePaths[0];
  if (picked.canceled || path === undefined) return;
  const answer = await withWindow(ctx, (win) =>
    dialog.showMessageBox(win, {
      type: 'question',
      message: 'Name classes after sub-folders?',
      detail: 'With folders like ants/ and bees/ (or train/ants/, val/bees/), each photo is labeled with the folder it is in.',
      buttons: ['Use Folder Names as Classes', 'Import Without Labels', 'Cancel'],
      defaultId: 0,
      cancelId: 2
    })
  );
  if (answer.response === 2) return;
  await run(ctx, 'folders:add', { path, classesFromFolders: answer.response === 0 });
}

async function showAbout(ctx: MenuContext): Promise<void> {
  await withWindow(ctx, (win) =>
    dialog.showMessageBox(win, {
      type: 'info',
      message: `Transfer Studio ${app.getVersion()}`,
      detail: 'Label your own photos and fine-tune an ImageNet-pretrained CNN into a classifier, offline.'
    })
  );
}

/** Runs a channel as the renderer would; failures are shown, never thrown into the menu. */
async function run(ctx: MenuContext, channel: Channel, request: unknown): Promise<InvokeEnvelope> {
  const envelope = await ctx.studio().dispatch(channel, request);
  if (!envelope.ok) dialog.showErrorBox('Transfer Studio', envelope.error.message);
  return envelope;
}

/** Dialogs attach to the window, so they are modal to it. */
async function withWindow<T>(ctx: MenuContext, show: (win: BrowserWindow) => Promise<T>): Promise<T> {
  const win = ctx.window();
  if (win === null || win.isDestroyed()) throw new Error('The app window is closed.');
  return show(win);
}

/** Menu clicks cannot await; anything that escapes is shown rather than lost. */
function menuAction(action: () => Promise<unknown>): void {
  action().catch((err: unknown) => dialog.showErrorBox('Transfer Studio', err instanceof Error ? err.message : String(err)));
}
