/**
 * The sandboxed preload (bundled as CommonJS). It exposes exactly three functions on
 * `window.transferStudio` and refuses any channel or event outside the contract's allow-lists,
 * so a compromised page cannot reach arbitrary IPC.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { isChannel, isEventName, type EventName, type InvokeEnvelope } from '../shared/contract';

// Must match src/main/electron/ipc.ts (which imports electron's main-side API, so not shared).
const INVOKE_CHANNEL = 'api:invoke';
const EVENT_CHANNEL = 'api:event';

type Listener = (payload: unknown) => void;
const listeners = new Map<EventName, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (!isEventName(name)) return;
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

function invoke(channel: unknown, request?: unknown): Promise<InvokeEnvelope> {
  if (!isChannel(channel)) {
    return Promise.resolve({ ok: false, error: { code: 'INVALID_REQUEST', message: `Unknown channel "${String(channel)}".` } });
  }
  return ipcRenderer.invoke(INVOKE_CHANNEL, channel, request) as Promise<InvokeEnvelope>;
}

function on(event: unknown, listener: unknown): () => void {
  if (!isEventName(event)) throw new Error(`Unknown event "${String(event)}".`);
  if (typeof listener !== 'function') throw new Error('Listener must be a function.');
  const fn = listener as Listener;
  let set = listeners.get(event);
  if (set === undefined) {
    set = new Set();
    listeners.set(event, set);
  }
  set.add(fn);
  return () => {
    listeners.get(event)?.delete(fn);
  };
}

/** The real path of a dropped file or folder ('' for files that did not come from disk). */
function pathForFile(file: File): string {
  return webUtils.getPathForFile(file);
}

contextBridge.exposeInMainWorld('transferStudio', { invoke, on, pathForFile });
