/**
 * Downloads a manifest's weights beside the manifest: resumable (.part + Range), md5-checked,
 * moved into place only when whole. Fails fast with a clear message when offline; a transfer cut
 * off midway keeps its part and says that starting again resumes it. A part that
 * is already whole (the server answers the Range with 416) is checked and finished, or dropped
 * and fetched again, so nobody has to delete it by hand.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/errors';
import { weightsUrl, type ModelManifest } from './manifests';

export interface FetchProgress {
  /** Bytes on disk so far, including a resumed part. */
  received: number;
  /** Total bytes, when the server says. */
  total: number | null;
}

export interface FetchOptions {
  /** Folder the file goes into (resources/models/<id>). */
  targetDir: string;
  /** Overrides where the file comes from (default: weightsUrl(manifest), the manifest's URL or TS_MODEL_MIRROR). */
  url?: string;
  /** Longest wait for data (connecting, or between two chunks), ms; the transfer itself may take any time. */
  timeoutMs?: number;
  onProgress?: (p: FetchProgress) => void;
}

/** Where a download into `targetDir` keeps what it has received so far. */
function partFile(manifest: ModelManifest, targetDir: string): string {
  return path.join(targetDir, `${manifest.file}.part`);
}

/** Bytes a cut-off download into `targetDir` left (the next one resumes there); null when none. */
export function partialDownloadBytes(manifest: ModelManifest, targetDir: string): number | null {
  try {
    const size = statSync(partFile(manifest, targetDir)).size;
    return size > 0 ? size : null;
  } catch {
    return null;
  }
}

/**
 * Moves a cut-off download's part from `fromDir` to `toDir`, so a download into `toDir` resumes
 * it (the CLI continuing what the app left in the user models folder). Returns the bytes moved,
 * or null when there was nothing to move or `toDir` has a part of its own.
 */
export function adoptPartialDownload(manifest: ModelManifest, fromDir: string, toDir: string): number | null {
  const bytes = partialDownloadBytes(manifest, fromDir);
  if (bytes === null || path.resolve(fromDir) === path.resolve(toDir) || partialDownloadBytes(manifest, toDir) !== null) return null;
  const from = partFile(manifest, fromDir);
  const to = partFile(manifest, toDir);
  mkdirSync(toDir, { recursive: true });
  try {
    renameSync(from, to);
  } catch (err) {
    // Another disk: copy, then drop the original only once the copy is whole.
    if ((err as { code?: unknown }).code !== 'EXDEV') throw err;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
  return bytes;
}

export async function fetchWeights(manifest: ModelManifest, opts: FetchOptions): Promise<string> {
  const url = opts.url ?? weightsUrl(manifest);
  const target = path.join(opts.targetDir, manifest.file);
  const part = partFile(manifest, opts.targetDir);
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
  const sink = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  try {
    await pipeline(body, sink);
  } catch (err) {
    // The part stays: the next try asks for the rest with a Range request. pipeline rejects as
    // soon as the transfer fails, while a write may still be in flight; it must land before the
    // next try measures the part, or that try appends after it and the file comes out garbled.
    if (!sink.closed) await once(sink, 'close').catch(() => undefined);
    throw new AppError(
      'IO_ERROR',
      `The download of ${manifest.file} stopped after ${megabytes(received)} of ${total ? megabytes(total) : 'an unknown size'} (${reason(err)}). Start it again: it resumes where it stopped.`
    );
  }
  if (total !== null && received < total) {
    throw new AppError(
      'IO_ERROR',
      `The download of ${manifest.file} stopped after ${megabytes(received)} of ${megabytes(total)} (the server ended it early). Start it again: it resumes where it stopped.`
    );
  }
  await verify(manifest, part);
  renameSync(part, target);
  return target;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function reason(err: unknown): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no data came for a while';
  // A file-system error (disk full, no permission) says itself; a network one reads better in words.
  if (typeof e.code === 'string' && e.code.startsWith('E')) return e.message ?? e.code;
  if (e.cause?.code === 'UND_ERR_SOCKET' || e.message === 'terminated') return 'the connection was lost';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/**
 * Connects with a timeout that covers the wait for data, not the whole transfer: it is reset by
 * every chunk, so a slow but moving download of any size finishes, and a stalled one ends.
 */
async function request(url: string, offset: number, timeoutMs: number): Promise<Response> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // unref: a timer left after a failed transfer must not keep the CLI from exiting.
  const restartTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new DOMException('no data', 'TimeoutError')), timeoutMs).unref();
  };
  restartTimer();
  let res: Response;
  try {
    res = await fetch(url, { headers: offset > 0 ? { Range: `bytes=${offset}-` } : {}, signal: controller.signal });
  } catch (err) {
    throw new AppError(
      'IO_ERROR',
      `Cannot download ${url}: ${reason(err)}. This machine may be offline: download the file on another machine and choose it under Train › Advanced › Weights (or pass --weights).`
    );
  } finally {
    clearTimeout(timer);
  }
  // 416 only answers a Range request: the part already reaches the end of the file (or beyond).
  if (res.status === 416 && offset > 0) return res;
  if (res.status !== 200 && res.status !== 206) {
    throw new AppError('IO_ERROR', `Cannot download ${url}: the server answered HTTP ${res.status}.`);
  }
  if (!res.body) throw new AppError('IO_ERROR', `Cannot download ${url}: empty response.`);
  restartTimer();
  return new Response(
    watchStalls(res.body, restartTimer, () => clearTimeout(timer)),
    res
  );
}

/** Passes the body through, calling `chunk` on each piece of data and `done` when it ends or fails. */
function watchStalls(body: ReadableStream<Uint8Array>, chunk: () => void, done: () => void): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(data, out) {
        chunk();
        out.enqueue(data);
      },
      flush: done
    })
  );
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
        `The downloaded ${manifest.file} is not the right file: its checksum (md5 ${got}) is not ${manifest.md5}. It was deleted and nothing was kept; try again, or download it on another machine.`
      );
    }
  } else if (manifest.sizeBytes && statSync(file).size !== manifest.sizeBytes) {
    rmSync(file, { force: true });
    throw new AppError(
      'WEIGHTS_INVALID',
      `The downloaded ${manifest.file} has the wrong size. It was deleted and nothing was kept; try again, or download it on another machine.`
    );
  }
}
