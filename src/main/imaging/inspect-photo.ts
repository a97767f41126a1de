/**
 * Everything the import learns from one file in a single read: its sha256, whether it decodes,
 * its oriented dimensions, and (when the cache lacks one) its thumbnail. Runs in the import
 * workers (photo-worker.ts), or in-process when workers cannot start. Never throws for a bad
 * photo: the outcome says ok, skipped (with a reason a person can act on) or missing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import { probePhoto } from './decode-photo';
import { isFileGone, MissingPhotoError, photoError, UndecodablePhotoError } from './photo-errors';
import { renderThumbnail } from './thumbnail-render';

export interface InspectTask {
  absPath: string;
  /** Bytes, as the scan saw them. */
  size: number;
}

export interface Inspection {
  /** null when the file could not be read at all. */
  hash: string | null;
  width: number | null;
  height: number | null;
  status: 'ok' | 'skipped';
  /** Why it was skipped; starts with "missing:" when the file was not there. */
  error: string | null;
  /** A fresh JPEG thumbnail, or null when the cache had one (or the photo is skipped). */
  thumb: Uint8Array | null;
  /** An import worker made a fresh thumbnail and stored it in the cache itself (`thumb` is then null). */
  thumbStored?: boolean;
}

/** Files up to this size are read whole (one read feeds hash, probe and thumbnail). */
const WHOLE_FILE_LIMIT = 64 << 20;

export async function inspectPhoto(task: InspectTask, hasThumbnail: (hash: string) => boolean): Promise<Inspection> {
  if (task.size === 0) return skipped(null, 'empty file (0 bytes)');
  let input: Buffer | string;
  let hash: string;
  try {
    if (task.size <= WHOLE_FILE_LIMIT) {
      input = await fsp.readFile(task.absPath);
      hash = createHash('sha256').update(input).digest('hex');
    } else {
      input = task.absPath;
      hash = await streamHash(task.absPath);
    }
  } catch (err) {
    if (isFileGone(err)) return skipped(null, new MissingPhotoError(task.absPath).message);
    return skipped(null, `cannot read file: ${ioReason(err)}`);
  }
  try {
    const header = await probePhoto(input);
    const thumb = hasThumbnail(hash) ? null : await renderThumbnail(input, header);
    return { hash, width: header.width, height: header.height, status: 'ok', error: null, thumb };
  } catch (err) {
    const mapped = photoError(err, task.absPath);
    if (mapped instanceof MissingPhotoError || mapped instanceof UndecodablePhotoError) return skipped(hash, mapped.message);
    return skipped(hash, `cannot read file: ${ioReason(err)}`);
  }
}

function streamHash(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

function skipped(hash: string | null, reason: string): Inspection {
  return { hash, width: null, height: null, status: 'skipped', error: reason, thumb: null };
}

function ioReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (check who may read it)';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'EIO') return 'the disk reported a read error';
  return err instanceof Error ? err.message : String(err);
}
