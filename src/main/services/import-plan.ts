import type { FolderChanges, NewPhoto, ProbedFile, StoredFile } from '../db/photo-repository';
import type { ScannedFile } from './folder-scan';

/** Files whose path is new, or whose size or mtime changed, need hashing; the rest are trusted. */
export function filesToProbe(scanned: readonly ScannedFile[], stored: readonly StoredFile[]): ScannedFile[] {
  const byPath = new Map(stored.map((s) => [s.relPath, s]));
  return scanned.filter((f) => needsProbe(f, byPath.get(f.relPath)));
}

/**
 * A skipped photo is read again on every scan whatever its size and mtime: it may have been
 * missing (a drive that is back) or unreadable (permissions since fixed).
 */
export function needsProbe(file: ScannedFile, known: StoredFile | undefined): boolean {
  return !known || known.status !== 'ok' || known.size !== file.size || known.mtime !== file.mtime;
}

export interface PlanInput {
  folderId: number;
  scanned: readonly ScannedFile[];
  stored: readonly StoredFile[];
  probed: readonly ProbedFile[];
  /** Hash → photo id of every readable photo in the project before this scan. */
  projectHashes: ReadonlyMap<string, number>;
  /** Class id for a photo's folder name, or null when classes do not come from folders. */
  classFor: (relPath: string) => number | null;
  /**
   * Keep the split a first folder level names (train/val/test). Only when the person asked for
   * folder names to mean something: a folder that merely happens to be called "val" must not
   * send their labeled photos to validation.
   */
  splitsFromFolders: boolean;
}

export interface Plan {
  changes: FolderChanges;
  duplicates: number;
}

/**
 * Decides what a scan changes. A file at a new path whose content matches a photo that vanished
 * from this folder is a move (the row and its label are kept); one whose content matches any
 * other photo of the project is an exact duplicate and is not added.
 */
export function planFolderChanges(input: PlanInput): Plan {
  const onDisk = new Set(input.scanned.map((f) => f.relPath));
  const byPath = new Map(input.stored.map((s) => [s.relPath, s]));
  const gone = input.stored.filter((s) => !onDisk.has(s.relPath));
  const goneByHash = new Map<string, StoredFile[]>();
  for (const g of gone) if (g.hash !== null && g.status === 'ok') pushTo(goneByHash, g.hash, g);
  const hashes = new Map(input.projectHashes);
  for (const g of gone) if (g.hash !== null && hashes.get(g.hash) === g.id) hashes.delete(g.hash);

  const changes: FolderChanges = { folderId: input.folderId, inserts: [], updates: [], moves: [], deletes: [] };
  const movedIds = new Set<number>();
  let duplicates = 0;
  for (const probed of input.probed) {
    const p = input.splitsFromFolders ? probed : { ...probed, split: null };
    const known = byPath.get(p.relPath);
    if (known) {
      changes.updates.push({ ...p, id: known.id });
      continue;
    }
    const origin = p.status === 'ok' && p.hash !== null ? goneByHash.get(p.hash)?.shift() : undefined;
    if (origin) {
      movedIds.add(origin.id);
      changes.moves.push({ id: origin.id, relPath: p.relPath, size: p.size, mtime: p.mtime, split: p.split });
    } else if (p.status === 'ok' && p.hash !== null && hashes.has(p.hash)) {
      duplicates++;
    } else {
      if (p.status === 'ok' && p.hash !== null) hashes.set(p.hash, -1);
      changes.inserts.push({ ...p, classId: p.status === 'ok' ? input.classFor(p.relPath) : null } satisfies NewPhoto);
    }
  }
  changes.deletes = gone.filter((g) => !movedIds.has(g.id)).map((g) => g.id);
  return { changes, duplicates };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
