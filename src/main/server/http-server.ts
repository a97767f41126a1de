/**
 * Serve mode: the same handlers as the Electron shell, over HTTP on 127.0.0.1, behind a
 * per-run token. Routes:
 *   GET  /, /assets/…          the built renderer (out/web), index.html with a strict CSP
 *   POST /api/invoke/:channel  JSON request → InvokeEnvelope
 *   GET  /api/events           server-sent events for every EventMap event
 *   GET  /photo/:variant/:id   photo bytes via the backend (thumb | full)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toErrorPayload } from '../../shared/errors';
import { handleEvents, handleInvoke } from './api-routes';
import { generateToken, isAllowedHost, isAllowedOrigin, isAuthorized, presentedTokens, sessionCookie, type TokenSource } from './auth';
import type { ServeBackend } from './backend';
import { handlePhoto } from './photo-route';
import { sendError, sendJson, writeHead } from './respond';
import { contentSecurityPolicy } from './security-headers';
import { pipeStaticFile, resolveStaticFile } from './static-files';

export interface ServeOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Folder of the built renderer (index.html + assets). */
  webRoot: string;
  /** Fixed token (tests); a fresh random one otherwise. */
  token?: string;
  /** Interval of SSE keep-alive comments, ms. */
  heartbeatMs?: number;
}

export interface ServeServer {
  readonly port: number;
  readonly token: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** The URL to open: origin + `/?token=…`. */
  readonly url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

interface Context {
  backend: ServeBackend;
  options: Required<Pick<ServeOptions, 'webRoot' | 'heartbeatMs'>>;
  token: string;
  port: number;
  streams: Set<() => void>;
}

export async function startServeServer(backend: ServeBackend, options: ServeOptions): Promise<ServeServer> {
  const token = options.token ?? generateToken();
  const ctx: Context = {
    backend,
    options: { webRoot: options.webRoot, heartbeatMs: options.heartbeatMs ?? 15_000 },
    token,
    port: 0,
    streams: new Set()
  };
  const server = createServer((req, res) => {
    route(ctx, req, res).catch((err: unknown) => {
      const { message } = toErrorPayload(err);
      sendError(res, 'INTERNAL', message);
    });
  });
  ctx.port = await listen(server, options.port ?? 0);
  const origin = `http://${HOST}:${ctx.port}`;
  return {
    port: ctx.port,
    token,
    origin,
    url: `${origin}/?token=${token}`,
    close: () => closeServer(server, ctx)
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server, ctx: Context): Promise<void> {
  for (const end of ctx.streams) end();
  ctx.streams.clear();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function route(ctx: Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawUrl = req.url ?? '/';
  if (!rawUrl.startsWith('/')) return sendError(res, 'INVALID_REQUEST', 'Bad request target.');
  if (!isAllowedHost(req.headers.host, ctx.port)) {
    return sendError(res, 'FORBIDDEN', 'Host header does not name this server.');
  }
  if (!isAllowedOrigin(req.headers.origin, ctx.port)) {
    return sendError(res, 'FORBIDDEN', 'Requests from other origins are refused.');
  }
  const url = new URL(rawUrl, `http://${HOST}:${ctx.port}`);
  const tokens = presentedTokens(req, url, ctx.port);
  const segments = url.pathname.split('/').slice(1);
  const method = req.method ?? 'GET';

  if (segments[0] === 'api') return routeApi(ctx, req, res, segments, tokens);
  if (segments[0] === 'photo') {
    if (!requireAuth(ctx, res, tokens, ['header', 'query'])) return;
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    return handlePhoto(ctx.backend, segments.slice(1), req, res);
  }
  // The page's own scripts and styles are fetched without the token; the cookie set with
  // index.html admits them. The cookie is accepted nowhere else.
  if (!requireAuth(ctx, res, tokens, ['header', 'query', 'cookie'])) return;
  if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
  return serveStatic(ctx, url, res, method === 'HEAD');
}

async function routeApi(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  segments: string[],
  tokens: Map<TokenSource, string>
): Promise<void> {
  if (!requireAuth(ctx, res, tokens, ['header', 'query'])) return;
  const method = req.method ?? 'GET';
  if (segments[1] === 'invoke' && segments.length === 3) {
    if (method !== 'POST') return methodNotAllowed(res, 'POST');
    return handleInvoke(ctx.backend, safeDecode(segments[2]), req, res);
  }
  if (segments[1] === 'events' && segments.length === 2) {
    if (method !== 'GET') return methodNotAllowed(res, 'GET');
    const end = handleEvents(ctx.backend, req, res, { heartbeatMs: ctx.options.heartbeatMs });
    ctx.streams.add(end);
    req.on('close', () => ctx.streams.delete(end));
    return;
  }
  return sendError(res, 'NOT_FOUND', 'No such API route.');
}

function requireAuth(ctx: Context, res: ServerResponse, tokens: Map<TokenSource, string>, accepted: TokenSource[]): boolean {
  if (isAuthorized(tokens, accepted, ctx.token)) return true;
  sendError(res, 'UNAUTHORIZED', 'Missing or wrong token. Open the URL that `npm run serve` printed.', {
    'WWW-Authenticate': 'Bearer'
  });
  return false;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { code: 'INVALID_REQUEST', message: `Method not allowed; use ${allow}.` }, { Allow: allow });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

async function serveStatic(ctx: Context, url: URL, res: ServerResponse, headOnly: boolean): Promise<void> {
  const file = await resolveStaticFile(ctx.options.webRoot, url.pathname);
  if (file === null) return sendError(res, 'NOT_FOUND', 'Not found.');
  const isHtml = file.contentType.startsWith('text/html');
  const headers: Record<string, string | number> = {
    'Content-Type': file.contentType,
    'Content-Length': file.size,
    // Vite names assets by content hash, so they never change; the page itself always may.
    'Cache-Control': isHtml ? 'no-store' : 'private, max-age=31536000, immutable'
  };
  if (isHtml) {
    headers['Content-Security-Policy'] = contentSecurityPolicy();
    headers['Set-Cookie'] = sessionCookie(ctx.port, ctx.token);
  }
  writeHead(res, 200, headers);
  if (headOnly) {
    res.end();
    return;
  }
  pipeStaticFile(file, res);
}
