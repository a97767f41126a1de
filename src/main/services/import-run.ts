import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ImportResult, SkippedFile } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { markFolderScanned, type FolderRecord } from '../db/folder-repository';
import { listFolderFilesPage, type StoredFile } from '../db/photo-repository';
import { classCounts, okPhotoCount, skippedFiles, splitCounts } from '../db/stats-repository';
import type { EventBus } from './event-bus';
import { scanFolder, type ScanOutcome, type ScannedFile } from './folder-scan';
import { ChunkWriter, inspectChunk, type InspectedChunk } from './import-chunks';
import { needsProbe } from './import-plan';
import { ProgressReporter } from './progress';
import type { ThumbnailCache } from './thumbnails';

/** Photos inspected and written per transaction: bounds memory and how long a write holds the lock. */
export const IMPORT_CHUNK = 500;
/** Rows or files handled between two yields to the event loop in the bookkeeping passes. */
const YIELD_EVERY = 2_000;

export interface ImportDeps {
  db: Database;
  thumbs: ThumbnailCache;
  events: EventBus;
  /** Aborted when the project closes; the import stops before its next write. */
  signal: AbortSignal;
}

/**
 * Scans one folder of the project, then reads what is new, changed or skipped before (hash,
 * dimensions, thumbnail) on the import workers and writes it chunk by chunk, so memory stays flat
 * and another process's writes wait at most one chunk. Removals are written last. Unreadable
 * files are recorded as skipped, never fatal. A folder that is gone (or looks unmounted) fails
 * with NOT_FOUND; photos already written stay, and the next rescan picks up the rest.
 */
export async function runFolderImport(deps: ImportDeps, folder: FolderRecord): Promise<ImportResult> {
  const started = performance.now();
  await assertFolderPresent(folder.path);
  const scan = await scanPhase(deps, folder.path);
  const stored = await readStored(deps.db, folder.id);
  if (scan.topLevelEntries === 0 && stored.length > 0) {
    throw new AppError(
      'NOT_FOUND',
      `Folder ${folder.path} is empty now; if it is on a removable drive, reconnect it. Nothing was removed from the project.`
    );
  }
  const byPath = new Map<string, StoredFile>();
  for (const s of stored) byPath.set(s.relPath, s);
  const toProbe = await selectToProbe(scan.files, byPath);
  const writer = new ChunkWriter(deps.db, folder, scan, stored);
  await inspectAndWrite(deps, folder, toProbe, writer);
  cancelledCheck(deps);
  await assertFolderStillThere(folder.path);
  const removed = writer.finish();
  markFolderScanned(deps.db, folder.id);
  return {
    folderId: folder.id,
    photos: okPhotoCount(deps.db),
    ...writer.counts,
    removed,
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

/** Before removals: a folder unmounted mid-import must not turn into "every photo deleted". */
async function assertFolderStillThere(folderPath: string): Promise<void> {
  try {
    await assertFolderPresent(folderPath);
  } catch {
    throw new AppError(
      'NOT_FOUND',
      `Folder ${folderPath} disappeared during the import (a drive disconnected?). Photos read so far are kept; nothing was removed. Rescan when it is back.`
    );
  }
}

function cancelledCheck(deps: ImportDeps): void {
  if (deps.signal.aborted) throw new AppError('CANCELLED', 'The project was closed during the import.');
}

async function scanPhase(deps: ImportDeps, root: string): Promise<ScanOutcome> {
  const progress = new ProgressReporter('scan', 0, (p) => deps.events.emit('import:progress', p));
  const scan = await scanFolder(root, (file) => progress.tick(file, true), deps.signal);
  progress.finish(root);
  cancelledCheck(deps);
  return scan;
}

/** The folder's stored photos, read a page at a time so requests are served in between. */
async function readStored(db: Database, folderId: number): Promise<StoredFile[]> {
  const out: StoredFile[] = [];
  for (let after = 0; ;) {
    const page = listFolderFilesPage(db, folderId, after, YIELD_EVERY);
    out.push(...page);
    if (page.length < YIELD_EVERY) return out;
    after = page[page.length - 1].id;
    await yieldToEventLoop();
  }
}

async function selectToProbe(files: readonly ScannedFile[], byPath: ReadonlyMap<string, StoredFile>): Promise<ScannedFile[]> {
  const out: ScannedFile[] = [];
  for (let i = 0; i < files.length; i++) {
    if (needsProbe(files[i], byPath.get(files[i].relPath))) out.push(files[i]);
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
  }
  return out;
}

/**
 * Inspects chunk k+1 on the workers while chunk k is written, so the cores never wait on SQLite.
 * Progress: "hash" per photo read; "thumbnails" once at the end with how many were made.
 */
async function inspectAndWrite(deps: ImportDeps, folder: FolderRecord, files: ScannedFile[], writer: ChunkWriter): Promise<void> {
  const reading = new ProgressReporter('hash', files.length, (p) => deps.events.emit('import:progress', p));
  const began = performance.now();
  let thumbnails = 0;
  const start = (from: number): Promise<InspectedChunk> | null =>
    from < files.length ? inspectChunk(deps.thumbs, files.slice(from, from + IMPORT_CHUNK), (f) => reading.tick(f), deps.signal) : null;
  let next = start(0);
  for (let from = 0; next !== null; from += IMPORT_CHUNK) {
    const chunk = await next;
    cancelledCheck(deps);
    next = start(from + IMPORT_CHUNK);
    if (chunk.missing > 0) await assertFolderStillThere(folder.path);
    deps.thumbs.putMany(chunk.thumbnails);
    thumbnails += chunk.thumbnails.length + chunk.thumbnailsStored;
    writer.write(chunk);
  }
  reading.finish(folder.path);
  const seconds = (performance.now() - began) / 1000;
  const rate = seconds > 0 ? Math.round((thumbnails / seconds) * 10) / 10 : 0;
  deps.events.emit('import:progress', { phase: 'thumbnails', done: thumbnails, total: thumbnails, currentPath: folder.path, rate });
}

function skippedList(db: Database, folder: FolderRecord, scan: ScanOutcome): SkippedFile[] {
  const abs = (relPath: string): string => path.join(folder.path, ...relPath.split('/'));
  const stored = skippedFiles(db, folder.id).map((s) => ({ path: abs(s.relPath), reason: s.reason }));
  const outside = scan.outside.map((o) => ({
    path: abs(o.relPath),
    reason: `symbolic link to ${o.target}, outside this folder; add that folder to import it`
  }));
  const unreadable = scan.unreadable.map((u) => ({ path: abs(u.relPath), reason: u.reason }));
  return [...stored, ...outside, ...unreadable];
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
