/** Handlers of the two custom schemes (see schemes.ts). Both answer only what they must. */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { PHOTO_PROTOCOL } from '../../shared/contract';
import type { App as Studio } from '../services/app';
import { replyToPhoto, toWebResponse } from '../server/photo-serving';
import { contentSecurityPolicy } from '../server/security-headers';
import { resolveStaticFile } from '../server/static-files';
import { APP_HOST, APP_SCHEME } from './schemes';

/** CSP of the packaged renderer: our origin, plus photos from the photo scheme. */
export const RENDERER_CSP = contentSecurityPolicy({ imgSources: [`${PHOTO_PROTOCOL}:`] });

export function registerRendererProtocol(rendererRoot: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? await resolveStaticFile(rendererRoot, url.pathname) : null;
    if (file === null) return new Response('Not found', { status: 404 });
    const headers: Record<string, string> = { 'Content-Type': file.contentType, 'X-Content-Type-Options': 'nosniff' };
    if (file.contentType.startsWith('text/html')) headers['Content-Security-Policy'] = RENDERER_CSP;
    return new Response(streamOf(file.path), { status: 200, headers });
  });
}

/**
 * `studio()` rather than a fixed App: File › Open may swap the project behind it. The reply is
 * the one serve mode gives (photo-serving.ts): same checks, ETag, 304 and HEAD.
 */
export function registerPhotoProtocol(studio: () => Studio): void {
  protocol.handle(PHOTO_PROTOCOL, async (request) => {
    const url = new URL(request.url);
    const reply = await replyToPhoto((id, variant) => studio().photoFile(id, variant), [url.host, ...url.pathname.split('/').slice(1)], {
      method: request.method,
      ifNoneMatch: request.headers.get('if-none-match')
    });
    return toWebResponse(reply);
  });
}

function streamOf(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
}
