/**
 * The real `npm run serve` process: one JSON line on stdout, the token it prints opens the page
 * and the API, and SIGTERM stops it cleanly with exit code 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type ServeHandle } from '../../helpers/serve';
import { invokeOverHttp, rawRequest } from './fixtures';

describe('serve process', () => {
  let dir: string;
  let serve: ServeHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tstudio-serve-proc-'));
    serve = await startServe({ project: join(dir, 'p.tstudio') });
  }, 240_000);
  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints exactly one JSON listening line on 127.0.0.1', () => {
    const lines = serve.stdout().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ type: 'listening', port: serve.port, token: serve.token });
    expect(serve.url).toBe(`http://127.0.0.1:${serve.port}/?token=${serve.token}`);
    expect(serve.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('serves the built renderer and the API with the printed token', async () => {
    const page = await rawRequest(serve.port, `/?token=${serve.token}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<html/i);
    const info = await invokeOverHttp(serve.port, serve.token, 'project:current', {});
    expect(info.json()).toMatchObject({ ok: true, data: { path: join(dir, 'p.tstudio') } });
  });

  it('stops on SIGTERM with exit code 0 and nothing more on stdout', async () => {
    const code = await serve.stop();
    expect(code).toBe(0);
    expect(serve.stdout().split('\n').filter(Boolean)).toHaveLength(1);
  });
});
