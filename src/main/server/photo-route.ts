/** GET|HEAD /photo/:variant/:id in serve mode: the shared photo reply (photo-serving.ts) written to a Node response. */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServeBackend } from './backend';
import { replyToPhoto } from './photo-serving';
import { sendError, writeHead } from './respond';

export { parsePhotoPath, type PhotoRequest } from './photo-serving';

/** `segments` are the path segments after /photo/. */
export async function handlePhoto(backend: ServeBackend, segments: string[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const ifNoneMatch = req.headers['if-none-match'] ?? null;
  const reply = await replyToPhoto((id, variant) => backend.photoFile(id, variant), segments, {
    method: req.method ?? 'GET',
    ifNoneMatch
  });
  if (reply.error !== null) return sendError(res, reply.error.code, reply.error.message, reply.headers);
  writeHead(res, reply.status, reply.headers);
  if (reply.body === null || 'data' in reply.body) {
    res.end(reply.body?.data);
    return;
  }
  const stream = createReadStream(reply.body.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
