import { promises as fsp, type Dirent } from 'node:fs';
import path from 'node:path';

/** File names the import treats as photos, in any letter case. */
export const PHOTO_EXTENSION = /\.(jpe?g|png|webp|gif|bmp|tiff?)$/i;

/** First-level folder names that mean a dataset split, and the split name stored for each. */
const SPLIT_NAMES: Record<string, string> = {
  train: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  test: 'test'
};

export interface ScannedFile {
  absPath: string;
  /** Relative to the scanned root, forward slashes. */
  relPath: string;
  /** Bytes. */
  size: number;
  /** Epoch ms, whole milliseconds. */
  mtime: number;
  split: string | null;
  /** The folder directly above the photo (ImageFolder convention), or null at the top. */
  className: string | null;
}

export interface ScanOutcome {
  files: ScannedFile[];
  /** Symlinks that lead outside the folder; photos are only served from inside it. */
  outside: Array<{ relPath: string; target: string }>;
  /** Entries that cannot be photos or cannot be read: dangling links, pipes, unreadable folders. */
  unreadable: Array<{ relPath: string; reason: string }>;
  /** Entries directly under the root; 0 hints at an unmounted drive. */
  topLevelEntries: number;
}

/**
 * Walks `root` (a realpath) recursively. Symlinks are followed only while they stay inside the
 * root, and each directory is entered once by its realpath, so links can never loop.
 * Hidden entries (dot-files, e.g. macOS `._` resource forks) are not photos and are passed over.
 */
export async function scanFolder(root: string, onFile: (absPath: string) => void, signal?: AbortSignal): Promise<ScanOutcome> {
  const out: ScanOutcome = { files: [], outside: [], unreadable: [], topLevelEntries: 0 };
  const visited = new Set<string>([root]);
  const pending: string[] = [root];
  while (pending.length > 0) {
    if (signal?.aborted) break;
    const dir = pending.pop() as string;
    const entries = await readDir(dir, (reason) => out.unreadable.push({ relPath: toRel(root, dir), reason }));
    if (dir === root) out.topLevelEntries = entries.length;
    // In slices: a folder of 100,000 photos must not start 100,000 stat calls at once.
    for (let i = 0; i < entries.length; i += STAT_BATCH) {
      const found = await Promise.all(entries.slice(i, i + STAT_BATCH).map((e) => visitEntry(root, dir, e, visited)));
      for (const item of found) collect(root, item, out, pending, onFile);
    }
  }
  out.files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return out;
}

const STAT_BATCH = 256;

type Visit =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; file: ScannedFile }
  | { kind: 'outside'; path: string; target: string }
  | { kind: 'unreadable'; path: string; reason: string }
  | null;

function collect(root: string, item: Visit, out: ScanOutcome, pending: string[], onFile: (absPath: string) => void): void {
  if (item === null) return;
  if (item.kind === 'dir') pending.push(item.path);
  else if (item.kind === 'outside') out.outside.push({ relPath: toRel(root, item.path), target: item.target });
  else if (item.kind === 'unreadable') out.unreadable.push({ relPath: toRel(root, item.path), reason: item.reason });
  else {
    out.files.push(item.file);
    onFile(item.file.absPath);
  }
}

const NOT_A_FILE = 'not a regular file (a named pipe, socket or device), so it is not read';

async function visitEntry(root: string, dir: string, entry: Dirent, visited: Set<string>): Promise<Visit> {
  if (entry.name.startsWith('.')) return null;
  const abs = path.join(dir, entry.name);
  const isLink = entry.isSymbolicLink();
  if (!isLink && !entry.isDirectory() && !entry.isFile()) {
    // Never opened: reading a named pipe would wait forever.
    return PHOTO_EXTENSION.test(entry.name) ? { kind: 'unreadable', path: abs, reason: NOT_A_FILE } : null;
  }
  try {
    const real = isLink || entry.isDirectory() ? await fsp.realpath(abs) : abs;
    const stat = await fsp.stat(real);
    if (isLink && !isInside(root, real)) {
      return stat.isFile() && !PHOTO_EXTENSION.test(entry.name) ? null : { kind: 'outside', path: abs, target: real };
    }
    if (stat.isDirectory()) {
      if (visited.has(real)) return null;
      visited.add(real);
      return { kind: 'dir', path: abs };
    }
    if (!PHOTO_EXTENSION.test(entry.name)) return null;
    if (!stat.isFile()) return { kind: 'unreadable', path: abs, reason: NOT_A_FILE };
    return { kind: 'file', file: describe(root, abs, stat.size, Math.floor(stat.mtimeMs)) };
  } catch (err) {
    return brokenEntry(abs, isLink, err);
  }
}

/** Dangling or looping links are reported; an entry that vanished mid-scan simply is not there. */
function brokenEntry(abs: string, isLink: boolean, err: unknown): Visit {
  const code = (err as { code?: unknown }).code;
  if (isLink && code === 'ENOENT')
    return { kind: 'unreadable', path: abs, reason: 'symbolic link to something that does not exist (dangling link)' };
  if (code === 'ELOOP') return { kind: 'unreadable', path: abs, reason: 'symbolic link that points back to itself (a link loop)' };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'unreadable', path: abs, reason: 'permission denied (check who may read it)' };
  return null;
}

function describe(root: string, abs: string, size: number, mtime: number): ScannedFile {
  const relPath = toRel(root, abs);
  const dirs = relPath.split('/').slice(0, -1);
  const split = dirs.length > 0 ? (SPLIT_NAMES[dirs[0].toLowerCase()] ?? null) : null;
  const classDepth = split === null ? 0 : 1;
  const className = dirs.length > classDepth ? dirs[dirs.length - 1] : null;
  return { absPath: abs, relPath, size, mtime, split, className };
}

/** An unreadable subfolder is reported (through `onError`) and passed over, never fatal. */
async function readDir(dir: string, onError: (reason: string) => void): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') return [];
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : err instanceof Error ? err.message : String(err);
    onError(`folder cannot be read (${why}); its photos were not imported`);
    return [];
  }
}

export function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

/** True when `candidate` is `root` or lies below it (both absolute, normalised). */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
