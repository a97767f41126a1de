/**
 * The closed set of error codes that cross the API boundary. The UI branches on `code`;
 * `message` is for people and says what happened and what to do.
 */
export const ERROR_CODES = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'NO_PROJECT',
  'PROJECT_INVALID',
  'IO_ERROR',
  'UNSUPPORTED',
  'CANCELLED',
  'BUSY',
  'WEIGHTS_MISSING',
  'WEIGHTS_INVALID',
  'BACKEND_UNAVAILABLE',
  'TRAINING_FAILED',
  'INTERNAL'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** What an error looks like on the wire, over every transport. */
export interface ApiErrorPayload {
  code: ErrorCode;
  message: string;
}

/** Thrown by services; transports turn it into an {@link ApiErrorPayload}. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Normalises anything thrown into the wire shape; unknown errors become INTERNAL. */
export function toErrorPayload(err: unknown): ApiErrorPayload {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (typeof err === 'object' && err !== null) {
    const rec = err as { code?: unknown; message?: unknown };
    if (isErrorCode(rec.code) && typeof rec.message === 'string') {
      return { code: rec.code, message: rec.message };
    }
    if (typeof rec.message === 'string') return { code: 'INTERNAL', message: rec.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}
