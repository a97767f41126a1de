/**
 * SQLite's failures in words a person can act on. A damaged file is confirmed with
 * `PRAGMA integrity_check` before the user is told so; a read-only project is found when it is
 * opened, not at the first write.
 */
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type BetterSqlite3 from 'better-sqlite3';

type Database = BetterSqlite3.Database;

/** SQLite's primary error code ("SQLITE_CORRUPT" for "SQLITE_CORRUPT_VTAB"), or null. */
export function sqliteCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const match = /^SQLITE_[A-Z]+/.exec(code);
  return match ? match[0] : code;
}

/**
 * Replaces a raw SQLite error with an AppError that says what happened and what to do; any other
 * error is returned as it is. `db` (when still open) is used to run the integrity check.
 */
export function explainStorageError(err: unknown, file: string, db: Database | null): unknown {
  switch (sqliteCode(err)) {
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return damagedProject(file, db);
    case 'SQLITE_READONLY':
      return readOnlyProject(file);
    case 'SQLITE_FULL':
      return new AppError('IO_ERROR', `The disk holding ${file} is full, so the change was not saved. Free some space and try again.`);
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new AppError(
        'BUSY',
        `Another program (a second Transfer Studio window or command) kept ${path.basename(file)} busy for more than 10 seconds; nothing was changed. Try again in a moment.`
      );
    case 'SQLITE_IOERR':
      return new AppError(
        'IO_ERROR',
        `The disk reported an error while reading or writing ${file}. Check the drive is still connected and healthy.`
      );
    default:
      return err;
  }
}

/** Runs the integrity check and words the result: the file is damaged, and how to get going again. */
export function damagedProject(file: string, db: Database | null): AppError {
  const findings = integrityFindings(db);
  const detail =
    findings.length > 0 ? ` (SQLite's integrity check: ${findings.slice(0, 2).join('; ')}${findings.length > 2 ? '; …' : ''})` : '';
  return new AppError(
    'PROJECT_INVALID',
    `The project file ${file} is damaged${detail}. Your photos are not affected. Open a backup copy of the project if you have one; otherwise create a new project and add your photo folders again (the labels stored in the damaged file may be lost).`
  );
}

/** Problems integrity_check reports (at most 5), ["the file cannot be read at all"] if it cannot run, [] if it finds none. */
export function integrityFindings(db: Database | null): string[] {
  if (db === null || !db.open) return [];
  try {
    const rows = db.pragma('integrity_check(5)') as Array<{ integrity_check: string }>;
    const findings = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok');
    return findings.map((f) => f.slice(0, 160));
  } catch {
    return ['the file cannot be read at all'];
  }
}

export function readOnlyProject(file: string): AppError {
  const dir = path.dirname(file);
  const where = isWritable(dir) ? `the file ${file}` : `its folder ${dir}`;
  return new AppError(
    'IO_ERROR',
    `The project ${file} is read-only: ${where} cannot be written, and Transfer Studio saves every label into the project as you work. Make it writable (check its permissions, or that the drive is not mounted read-only), or copy the project to a writable folder and open the copy.`
  );
}

/**
 * Called right after opening: a project whose file or folder cannot be written (permissions, a
 * read-only drive) is refused now, in words, rather than failing at its first save.
 */
export function assertWritableProject(db: Database, file: string): void {
  assertWritableFiles(file);
  try {
    // Takes (and gives back) the write lock: SQLite knows about read-only mounts and files.
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
  } catch (err) {
    const code = sqliteCode(err);
    if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN') throw readOnlyProject(file);
    throw err;
  }
}

/** The file-permission half of {@link assertWritableProject}, for before the file is opened. */
export function assertWritableFiles(file: string): void {
  if (!isWritable(path.dirname(file)) || !isWritable(file)) throw readOnlyProject(file);
}

function isWritable(target: string): boolean {
  try {
    statSync(target);
  } catch {
    return true; // not there yet: creating it is what fails, with its own message
  }
  try {
    accessSync(target, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
