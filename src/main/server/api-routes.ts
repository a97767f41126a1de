/** The API over HTTP: POST /api/invoke/:channel and GET /api/events (server-sent events). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EVENTS, isChannel, type EventName } from '../../shared/contract';
import type { ServeBackend } from './backend';
import { sendError, sendJson, statusForCode, writeHead } from './respond';

/** Request bodies are small JSON objects; anything bigger is a mistake or an attack. */
const MAX_BODY_BYTES = 1024 * 1024;

export async function handleInvoke(backend: ServeBackend, channel: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!isChannel(channel)) {
    sendError(res, 'NOT_FOUND', `Unknown channel "${channel}".`);
    return;
  }
  const body = await readJsonBody(req);
  if (!body.ok) {
    sendError(res, 'INVALID_REQUEST', body.message);
    return;
  }
  const envelope = await backend.dispatch(channel, body.value);
  sendJson(res, envelope.ok ? 200 : statusForCode(envelope.error.code), envelope);
}

type BodyResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Parses the body as JSON; an empty body means "no request object" (channels with none). */
export async function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/json\b/i.test(type)) {
    return { ok: false, message: 'Request body must be application/json.' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return { ok: false, message: 'Request body is too large.' };
    chunks.push(buf);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, message: 'Request body is not valid JSON.' };
  }
}

export interface EventStreamOptions {
  /** Interval of keep-alive comments, ms; proxies and browsers drop silent streams. */
  heartbeatMs: number;
}

/**
 * Streams every event in the allow-list until the client goes away. Returns a function that
 * ends the stream from our side (used on shutdown).
 */
export function handleEvents(backend: ServeBackend, req: IncomingMessage, res: ServerResponse, options: EventStreamOptions): () => void {
  writeHead(res, 200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no'
  });
  res.write('retry: 2000\n\n');
  const unsubscribers = EVENTS.map((name: EventName) =>
    backend.events.on(name, (payload) => {
      res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
    })
  );
  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs);
  heartbeat.unref();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    for (const off of unsubscribers) off();
    res.end();
  };
  req.on('close', end);
  res.on('error', end);
  return end;
}
