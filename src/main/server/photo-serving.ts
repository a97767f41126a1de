/**
 * Serving a photo, whichever transport asks: serve mode's GET /photo/:variant/:id (photo-route.ts)
 * and the Electron shell's tstudio-photo://variant/id (electron/protocols.ts) both answer from
 * {@link replyToPhoto}, so both make the same checks (an id and a variant only, the file still
 * a regular file on disk) and give the same caching (ETag, 304, HEAD). The URL carries only an
 * id; the file comes from the App, which knows which files belong to the project's folders.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { Readable } from 'node:stream';
import type { PhotoVariant } from '../../shared/contract';
import { toErrorPayload, type ErrorCode } from '../../shared/errors';
import type { PhotoBody } from '../services/photo-file';
import { statusForCode } from './respond';

export interface PhotoRequest {
  variant: PhotoVariant;
  id: number;
}

/** A photo id's original file, or its thumbnail's bytes (App.photoFile); throws AppError NOT_FOUND / FORBIDDEN. */
export type PhotoSource = (photoId: number, variant: PhotoVariant) => Promise<PhotoBody>;

/** The answer to one photo request, for a transport to write out. */
export interface PhotoReply {
  status: number;
  headers: Record<string, string>;
  /** The body of a 200 to GET: a file to stream or bytes in memory; null for no body or an error. */
  body: { path: string } | { data: Buffer } | null;
  /** The error, for a JSON body `{ code, message }`; null unless the status is an error. */
  error: { code: ErrorCode; message: string } | null;
}

/** Parses the two segments after /photo/, or null when they are not `thumb|full` and an id. */
export function parsePhotoPath(segments: string[]): PhotoRequest | null {
  if (segments.length !== 2) return null;
  const [variant, idText] = segments;
  if (variant !== 'thumb' && variant !== 'full') return null;
  if (!/^[1-9][0-9]{0,15}$/.test(idText)) return null;
  const id = Number(idText);
  return Number.isSafeInteger(id) ? { variant, id } : null;
}

function errorReply(code: ErrorCode, message: string): PhotoReply {
  return { status: statusForCode(code), headers: { 'Cache-Control': 'no-store' }, body: null, error: { code, message } };
}

/**
 * What to answer to `method` (GET or HEAD) on the photo path `segments` (after the /photo/
 * part), given the client's If-None-Match.
 */
export async function replyToPhoto(
  source: PhotoSource,
  segments: string[],
  request: { method: string; ifNoneMatch: string | null }
): Promise<PhotoReply> {
  const photo = parsePhotoPath(segments);
  if (photo === null) return errorReply('NOT_FOUND', 'No such photo.');
  let file: PhotoBody;
  try {
    file = await source(photo.id, photo.variant);
  } catch (err) {
    const { code, message } = toErrorPayload(err);
    return errorReply(code, message);
  }
  const head = request.method === 'HEAD';
  if ('data' in file) {
    // Thumbnails come from the cache as bytes, keyed by content hash, so their ETag never goes stale.
    const cache = { 'Cache-Control': 'private, max-age=600', ETag: file.etag };
    if (request.ifNoneMatch === file.etag) return { status: 304, headers: cache, body: null, error: null };
    const headers = { ...cache, 'Content-Type': file.contentType, 'Content-Length': String(file.data.length) };
    return { status: 200, headers, body: head ? null : { data: file.data }, error: null };
  }
  const stat = await fs.stat(file.path).catch(() => null);
  if (stat === null || !stat.isFile()) return errorReply('NOT_FOUND', `Photo ${photo.id} is not on disk.`);
  // A rescan may give an id new content; the validator lets the client notice cheaply.
  const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
  const cache = {
    // Thumbnails are cheap to keep and expensive to make; originals are revalidated each time.
    'Cache-Control': photo.variant === 'thumb' ? 'private, max-age=600' : 'private, no-cache',
    ETag: etag
  };
  if (request.ifNoneMatch === etag) return { status: 304, headers: cache, body: null, error: null };
  const headers = { ...cache, 'Content-Type': file.contentType, 'Content-Length': String(stat.size) };
  return { status: 200, headers, body: head ? null : { path: file.path }, error: null };
}

/** The wire error shape serve mode sends everywhere (see respond.ts sendError). */
export function errorBody(error: { code: ErrorCode; message: string }): string {
  return JSON.stringify({ ...error, ok: false, error });
}

/**
 * The reply as a fetch-API Response (Electron's protocol.handle), with the headers every
 * serve-mode response carries too.
 */
export function toWebResponse(reply: PhotoReply): Response {
  const headers: Record<string, string> = { 'X-Content-Type-Options': 'nosniff', ...reply.headers };
  if (reply.error !== null) {
    headers['Content-Type'] = 'application/json; charset=utf-8';
    return new Response(errorBody(reply.error), { status: reply.status, headers });
  }
  const body =
    reply.body === null
      ? null
      : 'data' in reply.body
        ? new Uint8Array(reply.body.data)
        : (Readable.toWeb(createReadStream(reply.body.path)) as ReadableStream<Uint8Array>);
  return new Response(body, { status: reply.status, headers });
}
