import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ProbedFile } from '../db/photo-repository';
import type { ScannedFile } from './folder-scan';
import { readImageHeader } from './image-source';

/**
 * Hashes a file and reads its header. Never throws: anything unreadable comes back with
 * status 'skipped' and a reason a person can act on.
 */
export async function probeFile(file: ScannedFile): Promise<ProbedFile> {
  const base = { relPath: file.relPath, size: file.size, mtime: file.mtime, split: file.split };
  if (file.size === 0) return skipped(base, null, 'empty file (0 bytes)');
  let read: FileRead;
  try {
    read = await readAndHash(file.absPath, file.size <= WHOLE_FILE_LIMIT);
  } catch (err) {
    return skipped(base, null, `cannot read file: ${ioReason(err)}`);
  }
  try {
    const header = await readImageHeader(read.whole ?? file.absPath, read.head);
    return { ...base, hash: read.hash, width: header.width, height: header.height, status: 'ok', error: null };
  } catch (err) {
    return skipped(base, read.hash, err instanceof Error ? err.message : String(err));
  }
}

/** Files up to this size are kept in memory while hashing, so the header is read without reopening. */
const WHOLE_FILE_LIMIT = 4 << 20;
const HEAD_BYTES = 64;

interface FileRead {
  hash: string;
  /** The first bytes, for format sniffing. */
  head: Buffer;
  /** The whole content when asked for, else null. */
  whole: Buffer | null;
}

/** Streams the file through sha256 once, keeping the head (and, for small files, everything). */
function readAndHash(file: string, keepWhole: boolean): Promise<FileRead> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let head: Buffer | null = null;
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on('data', (data: string | Buffer) => {
      // No encoding was set, so chunks are Buffers; the union is only the stream's typing.
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      hash.update(chunk);
      if (head === null) head = chunk.subarray(0, HEAD_BYTES);
      if (keepWhole) chunks.push(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () => {
      const whole = keepWhole ? (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) : null;
      resolve({ hash: hash.digest('hex'), head: head ?? Buffer.alloc(0), whole });
    });
  });
}

function skipped(base: Pick<ProbedFile, 'relPath' | 'size' | 'mtime' | 'split'>, hash: string | null, reason: string): ProbedFile {
  return { ...base, hash, width: null, height: null, status: 'skipped', error: reason };
}

function ioReason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'file disappeared during the import';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}
