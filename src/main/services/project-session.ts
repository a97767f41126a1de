import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ProjectInfo } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { openDatabase, schemaVersion, type Database } from '../db/database';
import { partialModelFolderRunId } from '../engine/trainer/model-folder-paths';
import type { EventBus } from './event-bus';
import { LabelHistory } from './labels';
import { Library } from './library';
import type { ThumbnailCache } from './thumbnails';

/** Everything that belongs to the one open project; replaced wholesale on open/create. */
export interface ProjectSession {
  readonly db: Database;
  readonly info: ProjectInfo;
  readonly library: Library;
  readonly history: LabelHistory;
  /** Stops running imports; they end with CANCELLED and write nothing. */
  close(): void;
}

export interface SessionDeps {
  events: EventBus;
  thumbs: ThumbnailCache;
  nativeBinding?: string;
}

export type OpenMode = 'open' | 'create' | 'open-or-create';

/** Opens a project file and brings its schema up to date. */
export function openSession(file: string, mode: OpenMode, deps: SessionDeps): ProjectSession {
  const abs = path.resolve(file);
  const exists = existsSync(abs);
  if (mode === 'open' && !exists) throw new AppError('NOT_FOUND', `Project file ${abs} does not exist.`);
  if (mode === 'create' && exists) {
    throw new AppError('CONFLICT', `${abs} already exists; open it, or choose another name for the new project.`);
  }
  if (!exists) mkdirSync(path.dirname(abs), { recursive: true });
  const db = openDatabase(abs, { nativeBinding: deps.nativeBinding, mustExist: mode === 'open' });
  removeStalePartialModelFolders(abs, db);
  const abort = new AbortController();
  const info: ProjectInfo = { path: abs, name: path.basename(abs, path.extname(abs)), schemaVersion: schemaVersion(db) };
  const library = new Library({ db, thumbs: deps.thumbs, events: deps.events, signal: abort.signal });
  let closed = false;
  return {
    db,
    info,
    library,
    history: new LabelHistory(),
    close() {
      if (closed) return;
      closed = true;
      abort.abort();
      // Running imports check the signal after each file; let them stop before closing the db.
      if (library.busy) void library.idle().then(() => db.close());
      else db.close();
    }
  };
}

/**
 * Removes the temporary model folders a crash or a killed training process left in
 * `<project file>.models/` (the folder runModelDir in training.ts puts runs in); nothing else
 * there (run folders, other files, links) is touched, nor the folder of a run the project still
 * marks running: another process (the app, while this is the CLI) may be saving it right now.
 * Best effort: a leftover is only clutter, never loaded as a model, so one that cannot be
 * removed does not stop the open. Returns the folders removed.
 */
export function removeStalePartialModelFolders(projectFile: string, db: Database): string[] {
  const modelsDir = path.join(path.dirname(projectFile), `${path.basename(projectFile)}.models`);
  let names: string[];
  try {
    names = readdirSync(modelsDir);
  } catch {
    return [];
  }
  const running = new Set(db.prepare("SELECT id FROM training_runs WHERE status = 'running'").pluck().all() as number[]);
  const removed: string[] = [];
  for (const name of names) {
    const runId = partialModelFolderRunId(name);
    if (runId === null || running.has(runId)) continue;
    const folder = path.join(modelsDir, name);
    try {
      if (!lstatSync(folder).isDirectory()) continue;
      rmSync(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
      // Left for the next open.
    }
  }
  return removed;
}
