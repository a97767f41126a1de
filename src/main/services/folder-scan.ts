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
  /** Entries directly under the root; 0 hints at an unmounted drive. */
  topLevelEntries: number;
}

/**
 * Walks `root` (a realpath) recursively. Symlinks are followed only while they stay inside the
 * root, and each directory is entered once by its realpath, so links can never loop.
 * Hidden entries (dot-files, e.g. macOS `._` resource forks) are not photos and are passed over.
 */
export async function scanFolder(root: string, onFile: (absPath: string) => void, signal?: AbortSignal): Promise<ScanOutcome> {
  const out: ScanOutcome = { files: [], outside: [], topLevelEntries: 0 };
  const visited = new Set<string>([root]);
  const pending: string[] = [root];
  while (pending.length > 0) {
    if (signal?.aborted) break;
    const dir = pending.pop() as string;
    const entries = await readDir(dir);
    if (dir === root) out.topLevelEntries = entries.length;
    const found = await Promise.all(entries.map((e) => visitEntry(root, dir, e, visited)));
    for (const item of found) {
      if (item === null) continue;
      if (item.kind === 'dir') pending.push(item.path);
      else if (item.kind === 'outside') out.outside.push({ relPath: toRel(root, item.path), target: item.target });
      else {
        out.files.push(item.file);
        onFile(item.file.absPath);
      }
    }
  }
  out.files.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
  return out;
}

type Visit = { kind: 'dir'; path: string } | { kind: 'file'; file: ScannedFile } | { kind: 'outside'; path: string; target: string } | null;

async function visitEntry(root: string, dir: string, entry: Dirent, visited: Set<string>): Promise<Visit> {
  if (entry.name.startsWith('.')) return null;
  const abs = path.join(dir, entry.name);
  const isLink = entry.isSymbolicLink();
  if (!isLink && !entry.isDirectory() && !entry.isFile()) return null;
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
    if (!stat.isFile() || !PHOTO_EXTENSION.test(entry.name)) return null;
    return { kind: 'file', file: describe(root, abs, stat.size, Math.floor(stat.mtimeMs)) };
  } catch {
    // Broken or self-referencing links (ENOENT, ELOOP) and entries that vanished mid-scan.
    return null;
  }
}

function describe(root: string, abs: string, size: number, mtime: number): ScannedFile {
  const relPath = toRel(root, abs);
  const dirs = relPath.split('/').slice(0, -1);
  const split = dirs.length > 0 ? (SPLIT_NAMES[dirs[0].toLowerCase()] ?? null) : null;
  const classDepth = split === null ? 0 : 1;
  const className = dirs.length > classDepth ? dirs[dirs.length - 1] : null;
  return { absPath: abs, relPath, size, mtime, split, className };
}

async function readDir(dir: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    // An unreadable subfolder should not abort the whole import.
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
