/**
 * The IPC adapter: `api:invoke` from the preload reaches app.dispatch only when it comes from
 * the main window's top frame showing our renderer; events go out as `api:event`.
 */
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { EVENTS, type InvokeEnvelope } from '../../shared/contract';
import type { App as Studio } from '../services/app';
import { originOf } from './schemes';

export const INVOKE_CHANNEL = 'api:invoke';
export const EVENT_CHANNEL = 'api:event';

export interface IpcAdapterOptions {
  window: () => BrowserWindow | null;
  studio: () => Studio;
  /** `scheme://host` the renderer is served from. */
  rendererOrigin: string;
}

export function registerIpcAdapter(options: IpcAdapterOptions): void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, request: unknown): Promise<InvokeEnvelope> => {
    if (!isTrustedSender(event, options)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the app window.' } };
    }
    return options.studio().dispatch(channel, request);
  });
}

/** Only the top frame of our window, showing our origin: no iframes, no other pages. */
export function isTrustedSender(event: IpcMainInvokeEvent, options: IpcAdapterOptions): boolean {
  const win = options.window();
  const frame = event.senderFrame;
  if (win === null || win.isDestroyed() || frame === null) return false;
  const main = win.webContents.mainFrame;
  if (event.sender !== win.webContents) return false;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return originOf(frame.url) === options.rendererOrigin;
}

/** Forwards every allow-listed event of `studio` to the window; returns the unsubscriber. */
export function forwardEvents(studio: Studio, window: () => BrowserWindow | null): () => void {
  const offs = EVENTS.map((name) =>
    studio.events.on(name, (payload) => {
      const win = window();
      if (win !== null && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, name, payload);
    })
  );
  return () => {
    for (const off of offs) off();
  };
}
