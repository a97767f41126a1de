/**
 * The renderer's only door to the main side. It speaks the shared contract over whichever
 * transport the page was started on — the Electron preload bridge or serve mode's HTTP + SSE —
 * so nothing else in the renderer knows (or cares) where it runs.
 */
import type { Channel, EventMap, EventName, InvokeEnvelope, PhotoVariant, RequestIn, Response } from '../shared/contract';
import type { PHOTO_PROTOCOL } from '../shared/contract';
import { isErrorCode, type ErrorCode } from '../shared/errors';

/** What the Electron preload exposes on `window.transferStudio`. */
export interface TransferStudioBridge {
  invoke(channel: string, req: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
  /** Absolute path of a dropped File (webUtils.getPathForFile). */
  pathForFile(file: File): string;
}

declare global {
  interface Window {
    transferStudio?: TransferStudioBridge;
  }
}

/** A way to reach the main side. Tests inject their own; the app picks one at start. */
export interface Transport {
  kind: 'electron' | 'http' | 'test';
  invoke(channel: Channel, req: unknown): Promise<unknown>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
  photoUrl(id: number, variant: PhotoVariant): string;
  /** Absolute path of a dropped file or folder, when the transport can know it. */
  pathForFile(file: File): string | null;
}

/** An error that crossed the API boundary; the UI branches on `code`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

const TOKEN_KEY = 'transferStudio.token';
// Spelled out rather than imported as a value: importing the contract's values would pull
// zod into the renderer bundle. The type ties it to the contract's constant.
const PHOTO_SCHEME: typeof PHOTO_PROTOCOL = 'tstudio-photo';

/** Reads the serve-mode token from `?token=`, keeps it for reloads, hides it from the URL bar. */
export function readServeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return window.sessionStorage.getItem(TOKEN_KEY);
}

export function createElectronTransport(bridge: TransferStudioBridge): Transport {
  return {
    kind: 'electron',
    invoke: (channel, req) => bridge.invoke(channel, req),
    on: (event, listener) => bridge.on(event, listener),
    photoUrl: (id, variant) => `${PHOTO_SCHEME}://${variant}/${id}`,
    pathForFile: (file) => bridge.pathForFile(file) || null
  };
}

export function createHttpTransport(token: string | null): Transport {
  const query = `token=${encodeURIComponent(token ?? '')}`;
  let source: EventSource | null = null;
  return {
    kind: 'http',
    async invoke(channel, req) {
      const res = await fetch(`/api/invoke/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token ?? ''}` },
        body: JSON.stringify(req ?? {})
      });
      const text = await res.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // A proxy or a crashed server answers with something that is not an envelope.
        return { ok: false, error: { code: 'INTERNAL', message: `Server answered ${res.status}: ${text.slice(0, 200)}` } };
      }
    },
    on(event, listener) {
      // One stream for all events; the browser reconnects it by itself.
      source ??= new EventSource(`/api/events?${query}`);
      const handler = (e: MessageEvent<string>) => listener(JSON.parse(e.data) as unknown);
      source.addEventListener(event, handler as EventListener);
      return () => source?.removeEventListener(event, handler as EventListener);
    },
    photoUrl: (id, variant) => `/photo/${variant}/${id}?${query}`,
    pathForFile: () => null
  };
}

function detectTransport(): Transport {
  if (typeof window === 'undefined') return createHttpTransport(null);
  if (window.transferStudio) return createElectronTransport(window.transferStudio);
  return createHttpTransport(readServeToken());
}

/** The transport in use; a live binding, replaced only by {@link setTransport}. */
export let transport: Transport = detectTransport();

/** Swaps the transport (tests). Listeners registered before stay on the old one. */
export function setTransport(next: Transport): void {
  transport = next;
}

/** Turns a wire envelope into data or a thrown ApiError. */
export function unwrapEnvelope<C extends Channel>(raw: unknown): Response<C> {
  const env = raw as Partial<InvokeEnvelope<C>> | null;
  if (env && env.ok === true && 'data' in env) return env.data as Response<C>;
  if (env && env.ok === false && env.error) {
    const { code, message } = env.error;
    throw new ApiError(isErrorCode(code) ? code : 'INTERNAL', String(message));
  }
  throw new ApiError('INTERNAL', 'The main side sent a malformed answer.');
}

/** Calls one channel of the contract; throws {@link ApiError} on failure. */
export async function invoke<C extends Channel>(channel: C, req?: RequestIn<C>): Promise<Response<C>> {
  let raw: unknown;
  try {
    raw = await transport.invoke(channel, req ?? {});
  } catch (err) {
    if (err instanceof ApiError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ApiError('IO_ERROR', `Could not reach Transfer Studio: ${message}`);
  }
  return unwrapEnvelope<C>(raw);
}

/** Subscribes to a pushed event; returns the unsubscribe function. */
export function on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
  return transport.on(event, (payload) => listener(payload as EventMap[E]));
}

export function photoUrl(id: number, variant: PhotoVariant): string {
  return transport.photoUrl(id, variant);
}

export function pathForFile(file: File): string | null {
  return transport.pathForFile(file);
}

/** Message for people, from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
