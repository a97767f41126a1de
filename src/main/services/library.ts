import { promises as fsp, statSync } from 'node:fs';
import path from 'node:path';
import type { FolderDto, ImportResult } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import * as folders from '../db/folder-repository';
import { runFolderImport, type ImportDeps } from './import-run';

/**
 * The project's photo folders. Imports, rescans and removals run one at a time (a queue), so a
 * background rescan on project open and a user's "add folder" never interleave their writes.
 */
export class Library {
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;

  constructor(private readonly deps: ImportDeps) {}

  /** Adds a folder and imports it. Adding a folder that is already in the project rescans it. */
  addFolder(inputPath: string, classesFromFolders: boolean): Promise<ImportResult> {
    return this.serial(async () => {
      const real = await resolveFolder(inputPath);
      const { db } = this.deps;
      let folder = folders.findFolderByPath(db, real);
      if (folder && classesFromFolders && !folder.classesFromFolders) folders.setClassesFromFolders(db, folder.id, true);
      if (!folder) folders.insertFolder(db, real, classesFromFolders);
      folder = folders.findFolderByPath(db, real) as folders.FolderRecord;
      return this.importAndAnnounce(folder, 'import');
    });
  }

  /** Rescans one folder (NOT_FOUND if it vanished) or every folder that is still present. */
  rescan(folderId?: number): Promise<ImportResult[]> {
    return this.serial(async () => {
      if (folderId !== undefined) return [await this.importAndAnnounce(this.mustGet(folderId), 'rescan')];
      const results: ImportResult[] = [];
      for (const folder of folders.listFolders(this.deps.db)) {
        // A vanished folder shows as present: false in folders:list; the others still rescan.
        try {
          results.push(await this.importAndAnnounce(folder, 'rescan'));
        } catch (err) {
          if ((err as { code?: unknown }).code !== 'NOT_FOUND') throw err;
        }
      }
      return results;
    });
  }

  /** Rescan on project open: failures are logged, never thrown at nobody. */
  rescanInBackground(): void {
    this.rescan().catch((err: unknown) => {
      if (!this.deps.signal.aborted) console.error('background rescan failed:', err);
    });
  }

  /** Removes the folder, its photos and their labels from the project; nothing on disk changes. */
  removeFolder(folderId: number): Promise<{ removedPhotos: number }> {
    return this.serial(async () => {
      this.mustGet(folderId);
      const removedPhotos = folders.deleteFolder(this.deps.db, folderId);
      this.deps.events.emit('library:changed', { reason: 'remove' });
      return { removedPhotos };
    });
  }

  listFolders(): FolderDto[] {
    return folders.listFolders(this.deps.db).map((f) => ({ ...f, present: isDirectory(f.path) }));
  }

  /** Resolves when queued work is done; used before closing a project. */
  idle(): Promise<void> {
    return this.queue.then(
      () => undefined,
      () => undefined
    );
  }

  private async importAndAnnounce(folder: folders.FolderRecord, reason: 'import' | 'rescan'): Promise<ImportResult> {
    const result = await runFolderImport(this.deps, folder);
    this.deps.events.emit('library:changed', { reason });
    return result;
  }

  private mustGet(folderId: number): folders.FolderRecord {
    const folder = folders.getFolder(this.deps.db, folderId);
    if (!folder) throw new AppError('NOT_FOUND', `Folder ${folderId} is not in this project.`);
    return folder;
  }

  /** True while an import, rescan or removal is queued or running. */
  get busy(): boolean {
    return this.pending > 0;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.queue.then(work, work).finally(() => {
      this.pending--;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

async function resolveFolder(inputPath: string): Promise<string> {
  const abs = path.resolve(inputPath);
  let real: string;
  try {
    real = await fsp.realpath(abs);
  } catch {
    throw new AppError('NOT_FOUND', `Folder ${abs} does not exist.`);
  }
  if (!isDirectory(real)) throw new AppError('INVALID_REQUEST', `${abs} is not a folder.`);
  return real;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
