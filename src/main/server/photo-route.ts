/**
 * GET /photo/:variant/:id. The URL carries only an id; the file comes from the backend, which
 * knows which files belong to the project's folders. No part of the URL ever becomes a path.
 */
import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PhotoVariant } from '../../shared/contract';
import { toErrorPayload } from '../../shared/errors';
import type { PhotoBody } from '../services/photo-file';
import type { ServeBackend } from './backend';
import { sendError, writeHead } from './respond';

export interface PhotoRequest {
  variant: PhotoVariant;
  id: number;
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

export async function handlePhoto(backend: ServeBackend, request: PhotoRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let file: PhotoBody;
  try {
    file = await backend.photoFile(request.id, request.variant);
  } catch (err) {
    const { code, message } = toErrorPayload(err);
    sendError(res, code, message);
    return;
  }
  if ('data' in file) {
    sendThumbnail(file, req, res);
    return;
  }
  const stat = await fs.stat(file.path).catch(() => null);
  if (stat === null || !stat.isFile()) {
    sendError(res, 'NOT_FOUND', `Photo ${request.id} is not on disk.`);
    return;
  }
  // A rescan may give an id new content; the validator lets the browser notice cheaply.
  const etag = `"${stat.size.toString(36)}-${Math.floor(stat.mtimeMs).toString(36)}"`;
  const cache = {
    // Thumbnails are cheap to keep and expensive to make; originals are revalidated each time.
    'Cache-Control': request.variant === 'thumb' ? 'private, max-age=600' : 'private, no-cache',
    ETag: etag
  };
  if (req.headers['if-none-match'] === etag) {
    writeHead(res, 304, cache);
    res.end();
    return;
  }
  writeHead(res, 200, { ...cache, 'Content-Type': file.contentType, 'Content-Length': stat.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** Thumbnails come from the cache as bytes; keyed by content hash, so the ETag never goes stale. */
function sendThumbnail(file: { contentType: string; data: Buffer; etag: string }, req: IncomingMessage, res: ServerResponse): void {
  const cache = { 'Cache-Control': 'private, max-age=600', ETag: file.etag };
  if (req.headers['if-none-match'] === file.etag) {
    writeHead(res, 304, cache);
    res.end();
    return;
  }
  writeHead(res, 200, { ...cache, 'Content-Type': file.contentType, 'Content-Length': file.data.length });
  res.end(req.method === 'HEAD' ? undefined : file.data);
}
