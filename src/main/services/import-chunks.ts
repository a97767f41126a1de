/**
 * The import's unit of work: a chunk of files inspected on the workers, then written in one
 * immediate transaction. The writer keeps what must outlive a chunk (the project's hashes, which
 * vanished photos may still turn out to be moves) so that chunking changes nothing in the result.
 */
import type { ImportResult } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import type { FolderRecord } from '../db/folder-repository';
import { applyFolderChanges, type ProbedFile, type StoredFile } from '../db/photo-repository';
import type { ThumbnailEntry } from '../db/thumbnail-store';
import { MISSING_REASON_PREFIX } from '../imaging/photo-errors';
import { ensureClasses } from './classes';
import type { ScanOutcome, ScannedFile } from './folder-scan';
import { planFolderChanges } from './import-plan';
import type { ThumbnailCache } from './thumbnails';

export interface InspectedChunk {
  files: ScannedFile[];
  probed: ProbedFile[];
  thumbnails: ThumbnailEntry[];
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
  const probed = await Promise.all(
    files.map(async (file): Promise<ProbedFile> => {
      if (signal.aborted) throw new AppError('CANCELLED', 'The project was closed during the import.');
      const r = await thumbs.inspect({ absPath: file.absPath, size: file.size });
      onDone(file.absPath);
      if (r.thumb !== null && r.hash !== null) thumbnails.push({ hash: r.hash, data: r.thumb });
      if (r.error?.startsWith(MISSING_REASON_PREFIX)) missing++;
      const { relPath, size, mtime, split } = file;
      return { relPath, size, mtime, split, hash: r.hash, width: r.width, height: r.height, status: r.status, error: r.error };
    })
  );
  return { files, probed, thumbnails, missing };
}

type Counts = Pick<ImportResult, 'added' | 'updated' | 'moved' | 'duplicates'>;

export class ChunkWriter {
  readonly counts: Counts = { added: 0, updated: 0, moved: 0, duplicates: 0 };
  private readonly byPath = new Map<string, StoredFile>();
  /** Stored photos no longer on disk and not (yet) found at a new path. */
  private readonly gone = new Map<number, StoredFile>();
  private readonly classNames: Map<string, string | null>;

  constructor(
    private readonly db: Database,
    private readonly folder: FolderRecord,
    scan: ScanOutcome,
    stored: readonly StoredFile[],
    /** Hash → id of every readable photo of the project; grows with each chunk's inserts. */
    private readonly hashes: Map<string, number>
  ) {
    const onDisk = new Set(scan.files.map((f) => f.relPath));
    for (const s of stored) {
      this.byPath.set(s.relPath, s);
      if (!onDisk.has(s.relPath)) this.gone.set(s.id, s);
    }
    this.classNames = folder.classesFromFolders ? new Map(scan.files.map((f) => [f.relPath, f.className])) : new Map();
  }

  /** Plans and writes one chunk in one immediate transaction. */
  write(chunk: InspectedChunk): void {
    const known = chunk.probed.map((p) => this.byPath.get(p.relPath)).filter((s): s is StoredFile => s !== undefined);
    const plan = planFolderChanges({
      folderId: this.folder.id,
      scanned: chunk.files,
      stored: [...known, ...this.gone.values()],
      probed: chunk.probed,
      projectHashes: this.hashes,
      classFor: () => null
    });
    // Removals wait for the end: a vanished photo may still turn up as a move in a later chunk.
    const changes = { ...plan.changes, deletes: [] };
    this.db
      .transaction(() => {
        if (this.folder.classesFromFolders) this.labelFromFolderNames(changes.inserts);
        applyFolderChanges(this.db, changes);
      })
      .immediate();
    for (const m of changes.moves) this.gone.delete(m.id);
    for (const p of changes.inserts) if (p.status === 'ok' && p.hash !== null) this.hashes.set(p.hash, -1);
    this.counts.added += changes.inserts.filter((p) => p.status === 'ok').length;
    this.counts.updated += changes.updates.length;
    this.counts.moved += changes.moves.length;
    this.counts.duplicates += plan.duplicates;
  }

  /** Removes the photos that vanished and never turned up elsewhere. Returns how many. */
  finish(): number {
    const ids = [...this.gone.keys()];
    applyFolderChanges(this.db, { folderId: this.folder.id, inserts: [], updates: [], moves: [], deletes: ids });
    return ids.length;
  }

  private labelFromFolderNames(inserts: Array<{ relPath: string; status: string; classId: number | null }>): void {
    const wanted = inserts.filter((p) => p.status === 'ok' && this.classNames.get(p.relPath));
    const ids = ensureClasses(
      this.db,
      wanted.map((p) => this.classNames.get(p.relPath) as string)
    );
    for (const p of wanted) p.classId = ids.get(this.classNames.get(p.relPath) as string) ?? null;
  }
}
