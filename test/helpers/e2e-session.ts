/**
 * The fixture every serve-mode e2e file shares: one `npm run serve` on a fresh temp project and
 * one headless Chromium per describe block, torn down after it; plus a direct API call with the
 * session's token for setting up and checking state.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { REPO_ROOT, startServe, type ServeHandle, type StartServeOptions } from './serve';

export const RESULTS_DIR = resolve(REPO_ROOT, 'test-results');

export interface ServeSession {
  /** Temp folder holding the project file `<name>.tstudio`. */
  dir: string;
  serve: ServeHandle;
  browser: Browser;
}

type SessionOptions = Pick<StartServeOptions, 'extraArgs' | 'env'>;

/**
 * Registers beforeAll/afterAll in the calling describe; read the fields inside tests. `options`
 * may be a function, read when the server starts (after the describe's earlier beforeAll hooks).
 */
export function useServeSession(name: string, options: SessionOptions | (() => SessionOptions) = {}): ServeSession {
  const session = {} as ServeSession;
  beforeAll(async () => {
    session.dir = mkdtempSync(join(tmpdir(), `tstudio-e2e-${name}-`));
    const extra = typeof options === 'function' ? options() : options;
    session.serve = await startServe({ project: join(session.dir, `${name}.tstudio`), ...extra });
    session.browser = await launchBrowser();
    mkdirSync(RESULTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.serve?.stop();
    if (session.dir) rmSync(session.dir, { recursive: true, force: true });
  });
  return session;
}

/** One invoke over HTTP with the session token; throws the API's message on an error envelope. */
export async function invokeApi<T>(serve: ServeHandle, channel: string, req: unknown = {}): Promise<T> {
  const res = await fetch(`${serve.origin}/api/invoke/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${serve.token}` },
    body: JSON.stringify(req)
  });
  const env = (await res.json()) as { ok: boolean; data: T; error?: { message: string } };
  if (!env.ok) throw new Error(env.error?.message);
  return env.data;
}
