/** Small helpers that write serve-mode responses with the house headers. */
import type { ServerResponse } from 'node:http';
import type { ErrorCode } from '../../shared/errors';
import { BASE_HEADERS } from './security-headers';

/** HTTP status for each error code, so plain HTTP clients can branch without parsing. */
const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  NO_PROJECT: 409,
  PROJECT_INVALID: 422,
  IO_ERROR: 500,
  UNSUPPORTED: 422,
  CANCELLED: 409,
  BUSY: 409,
  WEIGHTS_MISSING: 424,
  WEIGHTS_INVALID: 422,
  BACKEND_UNAVAILABLE: 503,
  TRAINING_FAILED: 500,
  INTERNAL: 500
};

export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

export function writeHead(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...BASE_HEADERS, ...headers });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  writeHead(res, status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers
  });
  res.end(text);
}

/**
 * The wire error shape `{ code, message }` with the matching status. The same error also rides
 * as an InvokeEnvelope (`ok: false, error`) so a client reading envelopes needs no special case.
 */
export function sendError(res: ServerResponse, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, statusForCode(code), { code, message, ok: false, error: { code, message } }, headers);
}
