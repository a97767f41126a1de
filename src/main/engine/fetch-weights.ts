/**
 * Downloads a manifest's weights beside the manifest: resumable (.part + Range), md5-checked,
 * moved into place only when whole. Fails fast with a clear message when offline. A part that
 * is already whole (the server answers the Range with 416) is checked and finished, or dropped
 * and fetched again, so nobody has to delete it by hand.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/errors';
import type { ModelManifest } from './manifests';

export interface FetchProgress {
  /** Bytes on disk so far, including a resumed part. */
  received: number;
  /** Total bytes, when the server says. */
  total: number | null;
}

export interface FetchOptions {
  /** Folder the file goes into (resources/models/<id>). */
  targetDir: string;
  /** Overrides manifest.url (mirrors; tests). */
  url?: string;
  /** Connect/response timeout, ms. */
  timeoutMs?: number;
  onProgress?: (p: FetchProgress) => void;
}

export async function fetchWeights(manifest: ModelManifest, opts: FetchOptions): Promise<string> {
  const url = opts.url ?? manifest.url;
  const target = path.join(opts.targetDir, manifest.file);
  const part = `${target}.part`;
  mkdirSync(opts.targetDir, { recursive: true });
  let offset = existsSync(part) ? statSync(part).size : 0;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  let res = await request(url, offset, timeoutMs);
  if (res.status === 416) {
    // Nothing lies beyond the part's end: it is either the whole file (a download cut off just
    // before the rename) or longer than the file. Keep it if it checks out, else start over.
    await res.body?.cancel();
    if (await partIsWhole(manifest, part)) {
      opts.onProgress?.({ received: offset, total: offset });
      renameSync(part, target);
      return target;
    }
    rmSync(part, { force: true });
    offset = 0;
    res = await request(url, offset, timeoutMs);
  }
  return download(manifest, res, { part, target, offset, onProgress: opts.onProgress });
}

/** Streams the response into the part (appending when the server resumed), checks it, moves it into place. */
async function download(
  manifest: ModelManifest,
  res: Response,
  files: { part: string; target: string; offset: number; onProgress?: (p: FetchProgress) => void }
): Promise<string> {
  const { part, target, offset } = files;
  const resumed = res.status === 206;
  if (!resumed && offset > 0) rmSync(part, { force: true });
  const start = resumed ? offset : 0;
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? start + length : manifest.sizeBytes;
  let received = start;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    files.onProgress?.({ received, total });
  });
  await pipeline(body, createWriteStream(part, { flags: resumed ? 'a' : 'w' }));
  await verify(manifest, part);
  renameSync(part, target);
  return target;
}

async function request(url: string, offset: number, timeoutMs: number): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new AppError(
      'IO_ERROR',
      `Cannot download ${url}: ${why}. This machine may be offline: download the file on another machine and choose it under Train › Advanced › Weights (or pass --weights).`
    );
  }
  // 416 only answers a Range request: the part already reaches the end of the file (or beyond).
  const rangeNotSatisfiable = res.status === 416 && offset > 0;
  if (res.status !== 200 && res.status !== 206 && !rangeNotSatisfiable) {
    throw new AppError('IO_ERROR', `Cannot download ${url}: the server answered HTTP ${res.status}.`);
  }
  if (!res.body && !rangeNotSatisfiable) throw new AppError('IO_ERROR', `Cannot download ${url}: empty response.`);
  return res;
}

/**
 * Whether a part the server says is complete is the file the manifest describes: its md5, else
 * its size. With neither in the manifest nothing vouches for it, so it is not kept.
 */
async function partIsWhole(manifest: ModelManifest, file: string): Promise<boolean> {
  if (manifest.md5) return (await md5Of(file)) === manifest.md5;
  return manifest.sizeBytes !== null && statSync(file).size === manifest.sizeBytes;
}

async function md5Of(file: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** md5 when the manifest has one, else the size; a bad part is deleted so the next try starts clean. */
async function verify(manifest: ModelManifest, file: string): Promise<void> {
  if (manifest.md5) {
    const got = await md5Of(file);
    if (got !== manifest.md5) {
      rmSync(file, { force: true });
      throw new AppError(
        'WEIGHTS_INVALID',
        `Downloaded ${manifest.file} has md5 ${got}, expected ${manifest.md5}; the partial file was deleted, try again.`
      );
    }
  } else if (manifest.sizeBytes && statSync(file).size !== manifest.sizeBytes) {
    rmSync(file, { force: true });
    throw new AppError('WEIGHTS_INVALID', `Downloaded ${manifest.file} has the wrong size; the partial file was deleted, try again.`);
  }
}
