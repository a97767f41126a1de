/** Serve mode refuses requests without the token, with a forged Host, or from another origin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, invokeOverHttp, rawRequest } from './fixtures';
import { startTestServer, type TestServer } from './test-server';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

const wrongSameLength = (token: string): string => (token[0] === 'a' ? 'b' : 'a') + token.slice(1);

describe('token', () => {
  const routes: [string, string][] = [
    ['POST', '/api/invoke/app:info'],
    ['GET', '/api/events'],
    ['GET', '/photo/thumb/1'],
    ['GET', '/photo/full/1'],
    ['GET', '/'],
    ['GET', '/assets/app.js']
  ];

  it.each(routes)('%s %s without a token answers 401 UNAUTHORIZED', async (method, path) => {
    const res = await rawRequest(t.port, path, { method });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it.each(routes)('%s %s with a wrong token (header and query) answers 401', async (method, path) => {
    const wrong = wrongSameLength(t.token);
    const sep = path.includes('?') ? '&' : '?';
    for (const res of [
      await rawRequest(t.port, path, { method, headers: bearer(wrong) }),
      await rawRequest(t.port, `${path}${sep}token=${wrong}`, { method }),
      await rawRequest(t.port, `${path}${sep}token=short`, { method })
    ]) {
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  it('accepts the token as a Bearer header on invoke', async () => {
    const res = await invokeOverHttp(t.port, t.token, 'app:info', {});
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, data: { transport: 'http' } });
  });

  it('sets a session cookie with the page that admits its assets but not the API', async () => {
    const page = await rawRequest(t.port, `/?token=${t.token}`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const asset = await rawRequest(t.port, '/assets/app.js', { headers: { Cookie: cookie } });
    expect(asset.status).toBe(200);
    const api = await rawRequest(t.port, '/api/invoke/app:info', { method: 'POST', headers: { Cookie: cookie } });
    expect(api.status).toBe(401);
  });
});

describe('host and origin', () => {
  it('answers 403 to a forged Host even with the right token', async () => {
    for (const host of ['evil.example', `evil.example:${t.port}`, `127.0.0.1:${t.port + 1}`, '127.0.0.1']) {
      const res = await rawRequest(t.port, '/api/invoke/app:info', { method: 'POST', headers: { ...bearer(t.token), Host: host } });
      expect(res.status, host).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('accepts localhost:PORT as Host', async () => {
    const res = await rawRequest(t.port, '/api/invoke/app:info', {
      method: 'POST',
      headers: { ...bearer(t.token), Host: `localhost:${t.port}` }
    });
    expect(res.status).toBe(200);
  });

  it('answers 403 to a request from another origin', async () => {
    const res = await rawRequest(t.port, '/api/invoke/app:info', {
      method: 'POST',
      headers: { ...bearer(t.token), Origin: 'http://evil.example' }
    });
    expect(res.status).toBe(403);
  });
});

describe('index.html', () => {
  it('comes with a strict Content-Security-Policy and no caching', async () => {
    const res = await rawRequest(t.port, `/?token=${t.token}`);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});
