/**
 * Request authentication for serve mode. The server listens on 127.0.0.1 only, but any local
 * process and any web page the user opens can reach that port, so every request must prove it
 * holds the per-run token, and the Host header must name us (a DNS-rebinding page would send
 * its own host name).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 32 random bytes as 64 hex characters; new for every server start. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
export function tokensEqual(expected: string, candidate: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(candidate, 'utf8');
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time flat.
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** Host values a browser sends when it really talks to this server. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * A browser adds Origin to cross-origin requests and to every POST; when present it must be
 * ours. Requests without Origin (curl, the CLI, same-origin GETs) are judged by the token alone.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return allowedHosts(port).some((host) => origin.toLowerCase() === `http://${host}`);
}

/** Name of the cookie that lets the page's own script and style requests through. */
export function sessionCookieName(port: number): string {
  // Cookies are shared between ports of one host; the port in the name keeps runs apart.
  return `tstudio_session_${port}`;
}

export type TokenSource = 'header' | 'query' | 'cookie';

/** Every credential a request carries, by where it came from. */
export function presentedTokens(req: IncomingMessage, url: URL, port: number): Map<TokenSource, string> {
  const found = new Map<TokenSource, string>();
  const header = req.headers.authorization;
  const bearer = header?.match(/^Bearer\s+(\S+)$/i);
  if (bearer) found.set('header', bearer[1]);
  const query = url.searchParams.get('token');
  if (query !== null) found.set('query', query);
  const cookie = readCookie(req.headers.cookie, sessionCookieName(port));
  if (cookie !== null) found.set('cookie', cookie);
  return found;
}

/** True when a credential from one of the accepted sources equals the token. */
export function isAuthorized(tokens: Map<TokenSource, string>, accepted: TokenSource[], token: string): boolean {
  let ok = false;
  // Check every accepted source without short-circuiting, so timing does not reveal which failed.
  for (const source of accepted) {
    const candidate = tokens.get(source);
    if (candidate !== undefined && tokensEqual(token, candidate)) ok = true;
  }
  return ok;
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Set-Cookie value: HttpOnly so page scripts cannot read it, Strict so other sites cannot use it. */
export function sessionCookie(port: number, token: string): string {
  return `${sessionCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}
