import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ImportResult, SkippedFile } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { markFolderScanned, type FolderRecord } from '../db/folder-repository';
import { applyFolderChanges, clearFolderSplits, listFolderFiles, okHashIndex, type ProbedFile } from '../db/photo-repository';
import { classCounts, okPhotoCount, skippedFiles, splitCounts } from '../db/stats-repository';
import { ensureClasses } from './classes';
import type { EventBus } from './event-bus';
import { scanFolder, type ScanOutcome, type ScannedFile } from './folder-scan';
import { filesToProbe, planFolderChanges } from './import-plan';
import { probeFile } from './photo-probe';
import { mapPool } from './pool';
import { ProgressReporter } from './progress';
import { UndecodableImageError, type ThumbnailCache } from './thumbnails';

/** Parallel hashing/decoding tasks. libvips threads and the disk keep two cores busy with 3. */
export const IMPORT_CONCURRENCY = 3;

export interface ImportDeps {
  db: Database;
  thumbs: ThumbnailCache;
  events: EventBus;
  /** Aborted when the project closes; the import then stops without writing. */
  signal: AbortSignal;
}

/**
 * Scans one folder of the project, hashes and checks what is new or changed, renders missing
 * thumbnails, and writes every change in one transaction. Unreadable files are recorded as
 * skipped, never fatal. A folder that is gone (or looks unmounted) fails with NOT_FOUND and
 * leaves the project untouched.
 */
export async function runFolderImport(deps: ImportDeps, folder: FolderRecord): Promise<ImportResult> {
  const started = performance.now();
  await assertFolderPresent(folder.path);
  const scan = await scanPhase(deps, folder.path);
  const stored = listFolderFiles(deps.db, folder.id);
  if (scan.topLevelEntries === 0 && stored.length > 0) {
    throw new AppError(
      'NOT_FOUND',
      `Folder ${folder.path} is empty now; if it is on a removable drive, reconnect it. Nothing was removed from the project.`
    );
  }
  const toProbe = filesToProbe(scan.files, stored);
  const probed = await hashPhase(deps, toProbe);
  await thumbnailPhase(deps, folder.path, probed);
  if (deps.signal.aborted) throw new AppError('CANCELLED', 'The project was closed during the import.');

  const classNames = new Map(scan.files.map((f) => [f.relPath, f.className]));
  const { changes, duplicates } = deps.db.transaction(() => {
    const plan = planFolderChanges({
      folderId: folder.id,
      scanned: scan.files,
      stored,
      probed,
      projectHashes: okHashIndex(deps.db),
      classFor: () => null,
      splitsFromFolders: folder.classesFromFolders
    });
    // Splits a project recorded before they needed asking for (or a folder re-added without the option) go.
    if (!folder.classesFromFolders) clearFolderSplits(deps.db, folder.id);
    if (folder.classesFromFolders) labelFromFolderNames(deps.db, plan.changes.inserts, classNames);
    applyFolderChanges(deps.db, plan.changes);
    markFolderScanned(deps.db, folder.id);
    return plan;
  })();
  return {
    folderId: folder.id,
    photos: okPhotoCount(deps.db),
    added: changes.inserts.filter((p) => p.status === 'ok').length,
    removed: changes.deletes.length,
    updated: changes.updates.length,
    moved: changes.moves.length,
    duplicates,
    classes: classCounts(deps.db),
    splits: splitCounts(deps.db),
    skipped: skippedList(deps.db, folder, scan),
    elapsedMs: Math.round(performance.now() - started)
  };
}

export async function assertFolderPresent(folderPath: string): Promise<void> {
  try {
    const stat = await fsp.stat(folderPath);
    if (stat.isDirectory()) return;
  } catch {
    // fall through: missing and not-a-directory read the same to the user
  }
  throw new AppError(
    'NOT_FOUND',
    `Folder ${folderPath} no longer exists on disk (moved, renamed or on a disconnected drive). Its photos and labels are kept.`
  );
}

async function scanPhase(deps: ImportDeps, root: string): Promise<ScanOutcome> {
  const progress = new ProgressReporter('scan', 0, (p) => deps.events.emit('import:progress', p));
  const scan = await scanFolder(root, (file) => progress.tick(file, true), deps.signal);
  progress.finish(root);
  return scan;
}

async function hashPhase(deps: ImportDeps, files: ScannedFile[]): Promise<ProbedFile[]> {
  const progress = new ProgressReporter('hash', files.length, (p) => deps.events.emit('import:progress', p));
  const probed = await mapPool(
    files,
    IMPORT_CONCURRENCY,
    async (file) => {
      const result = await probeFile(file);
      progress.tick(file.absPath);
      return result;
    },
    deps.signal
  );
  progress.finish();
  return probed;
}

/**
 * Renders thumbnails that are not cached yet. This is also the full decode of each new photo,
 * so a photo whose header reads fine but whose data is corrupt or truncated is skipped here.
 */
async function thumbnailPhase(deps: ImportDeps, root: string, probed: ProbedFile[]): Promise<void> {
  const candidates = probed.filter((p) => p.status === 'ok' && p.hash !== null);
  const missing: ProbedFile[] = [];
  // Synchronous existence checks: ~1 µs each, far cheaper than a thread-pool round trip per photo.
  for (const p of candidates) if (!deps.thumbs.hasSync(p.hash as string)) missing.push(p);
  const progress = new ProgressReporter('thumbnails', missing.length, (p) => deps.events.emit('import:progress', p));
  await mapPool(
    missing,
    IMPORT_CONCURRENCY,
    async (p) => {
      const abs = path.join(root, ...p.relPath.split('/'));
      try {
        await deps.thumbs.ensure(p.hash as string, abs);
      } catch (err) {
        // Cache write failures abort the import (nothing is written); only bad photos are skipped.
        if (!(err instanceof UndecodableImageError)) throw err;
        p.status = 'skipped';
        p.width = null;
        p.height = null;
        p.error = `corrupt image: ${err.message}`;
      }
      progress.tick(abs);
    },
    deps.signal
  );
  progress.finish();
}

function labelFromFolderNames(
  db: Database,
  inserts: Array<{ relPath: string; status: string; classId: number | null }>,
  classNames: Map<string, string | null>
): void {
  const wanted = inserts.filter((p) => p.status === 'ok' && classNames.get(p.relPath));
  const ids = ensureClasses(
    db,
    wanted.map((p) => classNames.get(p.relPath) as string)
  );
  for (const p of wanted) p.classId = ids.get(classNames.get(p.relPath) as string) ?? null;
}

function skippedList(db: Database, folder: FolderRecord, scan: ScanOutcome): SkippedFile[] {
  const stored = skippedFiles(db, folder.id).map((s) => ({ path: path.join(folder.path, ...s.relPath.split('/')), reason: s.reason }));
  const outside = scan.outside.map((o) => ({
    path: path.join(folder.path, ...o.relPath.split('/')),
    reason: `symbolic link to ${o.target}, outside this folder; add that folder to import it`
  }));
  return [...stored, ...outside];
}
