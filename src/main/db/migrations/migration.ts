// The driver's type, not '../database': that module imports the migration list, which imports this.
import type { Database } from 'better-sqlite3';

/** One numbered schema step. A shipped migration is never edited; add a new one instead. */
export interface Migration {
  /** Becomes `PRAGMA user_version` once applied; versions are consecutive from 1. */
  version: number;
  name: string;
  up(db: Database): void;
}
