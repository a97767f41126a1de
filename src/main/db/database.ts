import BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import { migrations as knownMigrations, type Migration } from './migrations/index';
import { assertWritableProject, assertWritableFiles, damagedProject, readOnlyProject, sqliteCode } from './storage-errors';

export type Database = BetterSqlite3.Database;

export interface OpenDatabaseOptions {
  /** Path of a better_sqlite3.node built for another runtime (Electron's ABI). */
  nativeBinding?: string;
  /** Refuse to create the file when it does not exist (opening vs creating a project). */
  mustExist?: boolean;
  /** Migrations to apply; defaults to every migration the app knows. Tests pass a prefix. */
  migrations?: Migration[];
}

/**
 * How long a writer waits for another process's write transaction (the app and a CLI import may
 * share a project). Writers take the lock up front (immediate transactions), so they queue here
 * instead of failing with SQLITE_BUSY; imports commit in chunks, so no wait comes near this.
 */
export const BUSY_TIMEOUT_MS = 10_000;

/** SQLite error codes that mean "this file is not a project we can read". */
const NOT_A_PROJECT = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/**
 * Opens (or creates) a project file: WAL, foreign keys, a busy timeout, then brings the schema
 * up to date. A file that is not SQLite, or was written by a newer app, is PROJECT_INVALID.
 */
export function openDatabase(file: string, opts: OpenDatabaseOptions = {}): Database {
  // Before SQLite touches it: reading a WAL project already needs write access to its folder.
  assertWritableFiles(file);
  let db: Database;
  try {
    db = new BetterSqlite3(file, { nativeBinding: opts.nativeBinding, fileMustExist: opts.mustExist ?? false });
  } catch (err) {
    throw openError(file, err);
  }
  try {
    // Before anything writes: WAL and our tables must never land in another program's database.
    assertProjectOrEmpty(db, file);
    assertWritableProject(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // NORMAL is durable across application crashes in WAL mode and much faster than FULL.
    db.pragma('synchronous = NORMAL');
    migrate(db, opts.migrations ?? knownMigrations);
    return db;
  } catch (err) {
    const code = sqliteCode(err);
    const explained =
      code === 'SQLITE_CORRUPT' ? damagedProject(file, db) : code === 'SQLITE_READONLY' ? readOnlyProject(file) : openError(file, err);
    db.close();
    throw explained;
  }
}

/** Applies every migration newer than `user_version`, each in its own transaction. */
export function migrate(db: Database, list: Migration[] = knownMigrations): number {
  const current = schemaVersion(db);
  const latest = list.length === 0 ? 0 : list[list.length - 1].version;
  if (current > latest) {
    throw new AppError(
      'PROJECT_INVALID',
      `This project was saved by a newer version of Transfer Studio (schema ${current}; this app knows up to ${latest}). Update the app to open it.`
    );
  }
  for (const migration of list) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}

/**
 * A file at schema 0 is ours to set up only while it holds no tables: migrations set
 * user_version in the transaction that creates them, so version 0 with tables is someone else's.
 */
function assertProjectOrEmpty(db: Database, file: string): void {
  if (schemaVersion(db) !== 0) return;
  const tables = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number;
  if (tables > 0) {
    throw new AppError(
      'PROJECT_INVALID',
      `${file} is an SQLite database of another program, not a Transfer Studio project; it was left unchanged. Choose another file.`
    );
  }
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function openError(file: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && NOT_A_PROJECT.has(code)) {
    return new AppError('PROJECT_INVALID', `${file} is not a Transfer Studio project (not a readable SQLite file).`);
  }
  if (code === 'SQLITE_CANTOPEN' && /does not exist/i.test(message)) {
    return new AppError('NOT_FOUND', `Project file ${file} does not exist.`);
  }
  return new AppError('IO_ERROR', `Cannot open project ${file}: ${message}`);
}
