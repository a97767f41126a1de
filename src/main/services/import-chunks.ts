/**
 * The import's unit of work: a chunk of files inspected on the workers, then written in one
 * immediate transaction. The writer keeps only what must outlive a chunk (which vanished photos
 * may still turn out to be moves); duplicates are looked up in the project per chunk, so memory
 * does not grow with the library and chunking changes nothing in the result.
 */
import type { ImportResult } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import type { FolderRecord } from '../db/folder-repository';
import { applyFolderChanges, clearFolderSplits, okPhotosWithHashes, type ProbedFile, type StoredFile } from '../db/photo-repository';
import type { ThumbnailEntry } from '../db/thumbnail-store';
import { MISSING_REASON_PREFIX } from '../imaging/photo-errors';
import { ensureClasses } from './classes';
import type { ScanOutcome, ScannedFile } from './folder-scan';
import { planFolderChanges } from './import-plan';
import type { ThumbnailCache } from './thumbnails';

export interface InspectedChunk {
  files: ScannedFile[];
  probed: ProbedFile[];
  /** Fresh thumbnails for the main thread to store. */
  thumbnails: ThumbnailEntry[];
  /** Fresh thumbnails the import workers stored themselves. */
  thumbnailsStored: number;
  /** Files that were not there when read. */
  missing: number;
}

/** Inspects every file of the chunk on the workers (in parallel, results in input order). */
export async function inspectChunk(
  thumbs: ThumbnailCache,
  files: ScannedFile[],
  onDone: (absPath: string) => void,
  signal: AbortSignal
): Promise<InspectedChunk> {
  const thumbnails: ThumbnailEntry[] = [];
  let missing = 0;
  let thumbnailsStored = 0;
  const probed = await Promise.all(
    files.map(async (file): Promise<ProbedFile> => {
      if (signal.aborted) throw new AppError('CANCELLED', 'The project was closed during the import.');
      const r = await thumbs.inspect({ absPath: file.absPath, size: file.size });
      onDone(file.absPath);
      if (r.thumb !== null && r.hash !== null) thumbnails.push({ hash: r.hash, data: r.thumb });
      if (r.thumbStored === true) thumbnailsStored++;
      if (r.error?.startsWith(MISSING_REASON_PREFIX)) missing++;
      const { relPath, size, mtime, split } = file;
      return { relPath, size, mtime, split, hash: r.hash, width: r.width, height: r.height, status: r.status, error: r.error };
    })
  );
  return { files, probed, thumbnails, thumbnailsStored, missing };
}

type Counts = Pick<ImportResult, 'added' | 'updated' | 'moved' | 'duplicates'>;

export class ChunkWriter {
  readonly counts: Counts = { added: 0, updated: 0, moved: 0, duplicates: 0 };
  private readonly byPath = new Map<string, StoredFile>();
  /** Stored photos no longer on disk and not (yet) found at a new path. */
  private readonly gone = new Map<number, StoredFile>();

  constructor(
    private readonly db: Database,
    private readonly folder: FolderRecord,
    scan: ScanOutcome,
    stored: readonly StoredFile[]
  ) {
    if (stored.length === 0) return;
    const onDisk = new Set(scan.files.map((f) => f.relPath));
    for (const s of stored) {
      this.byPath.set(s.relPath, s);
      if (!onDisk.has(s.relPath)) this.gone.set(s.id, s);
    }
  }

  /** Plans and writes one chunk in one immediate transaction. */
  write(chunk: InspectedChunk): void {
    const known = chunk.probed.map((p) => this.byPath.get(p.relPath)).filter((s): s is StoredFile => s !== undefined);
    const hashes = chunk.probed.flatMap((p) => (p.status === 'ok' && p.hash !== null ? [p.hash] : []));
    const { changes, duplicates } = this.db
      .transaction(() => {
        // Planned inside the write lock: another process's import cannot slip a duplicate in between.
        const plan = planFolderChanges({
          folderId: this.folder.id,
          scanned: chunk.files,
          stored: [...known, ...this.gone.values()],
          probed: chunk.probed,
          projectHashes: okPhotosWithHashes(this.db, hashes),
          classFor: () => null,
          splitsFromFolders: this.folder.classesFromFolders
        });
        // Removals wait for the end: a vanished photo may still turn up as a move in a later chunk.
        plan.changes.deletes = [];
        if (this.folder.classesFromFolders) this.labelFromFolderNames(plan.changes.inserts, chunk.files);
        applyFolderChanges(this.db, plan.changes);
        return plan;
      })
      .immediate();
    for (const m of changes.moves) this.gone.delete(m.id);
    this.counts.added += changes.inserts.filter((p) => p.status === 'ok').length;
    this.counts.updated += changes.updates.length;
    this.counts.moved += changes.moves.length;
    this.counts.duplicates += duplicates;
  }

  /** Removes the photos that vanished and never turned up elsewhere. Returns how many. */
  finish(): number {
    const ids = [...this.gone.keys()];
    applyFolderChanges(this.db, { folderId: this.folder.id, inserts: [], updates: [], moves: [], deletes: ids });
    // Splits a project recorded before they needed asking for (or a folder re-added without the option) go.
    if (!this.folder.classesFromFolders) clearFolderSplits(this.db, this.folder.id);
    return ids.length;
  }

  private labelFromFolderNames(inserts: Array<{ relPath: string; status: string; classId: number | null }>, files: ScannedFile[]): void {
    const classNames = new Map(files.map((f) => [f.relPath, f.className]));
    const wanted = inserts.filter((p) => p.status === 'ok' && classNames.get(p.relPath));
    const ids = ensureClasses(
      this.db,
      wanted.map((p) => classNames.get(p.relPath) as string)
    );
    for (const p of wanted) p.classId = ids.get(classNames.get(p.relPath) as string) ?? null;
  }
}
