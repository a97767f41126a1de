import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ProjectInfo } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { openDatabase, schemaVersion, type Database } from '../db/database';
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
