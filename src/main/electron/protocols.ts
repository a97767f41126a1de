/** Handlers of the two custom schemes (see schemes.ts). Both answer only what they must. */
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import { protocol } from 'electron';
import { PHOTO_PROTOCOL } from '../../shared/contract';
import { toErrorPayload } from '../../shared/errors';
import type { App as Studio } from '../services/app';
import { parsePhotoPath } from '../server/photo-route';
import { statusForCode } from '../server/respond';
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

/** `studio()` rather than a fixed App: File › Open may swap the project behind it. */
export function registerPhotoProtocol(studio: () => Studio): void {
  protocol.handle(PHOTO_PROTOCOL, async (request) => {
    const url = new URL(request.url);
    const photo = parsePhotoPath([url.host, ...url.pathname.split('/').slice(1)]);
    if (photo === null) return jsonError(404, 'NOT_FOUND', 'No such photo.');
    try {
      const file = await studio().photoFile(photo.id, photo.variant);
      const size = 'data' in file ? file.data.length : (await fs.stat(file.path)).size;
      return new Response('data' in file ? new Uint8Array(file.data) : streamOf(file.path), {
        status: 200,
        headers: {
          'Content-Type': file.contentType,
          'Content-Length': String(size),
          'Cache-Control': photo.variant === 'thumb' ? 'private, max-age=600' : 'no-cache'
        }
      });
    } catch (err) {
      const { code, message } = toErrorPayload(err);
      return jsonError(statusForCode(code), code, message);
    }
  });
}

function streamOf(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
}

function jsonError(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ code, message }), { status, headers: { 'Content-Type': 'application/json' } });
}
