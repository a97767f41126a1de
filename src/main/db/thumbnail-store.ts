/**
 * Thumbnails as blobs in one SQLite file beside the other caches (`<cacheDir>/thumbnails.sqlite`),
 * keyed by the photo's sha256. One file instead of 100,000 small ones: a 4 KB filesystem block per
 * 1.6 KB thumbnail wasted more than half the space, and every thumbnail cost a mkdir, a write and
 * a rename. This is a cache, separate from any project file: losing it only means thumbnails are
 * rendered again, and a project's writes never wait on it. Several processes (the app, the CLI,
 * import workers) may use it at once: WAL, a busy timeout and immediate write transactions.
 */
import BetterSqlite3 from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './database';

export interface ThumbnailEntry {
  /** sha256 of the photo, hex. */
  hash: string;
  data: Uint8Array;
}

export class ThumbnailStore {
  private readonly db: BetterSqlite3.Database;
  private readonly getStmt: BetterSqlite3.Statement<[Buffer], { data: Buffer }>;
  private readonly hasStmt: BetterSqlite3.Statement<[Buffer], number>;
  private readonly putStmt: BetterSqlite3.Statement<[Buffer, Buffer, number]>;

  constructor(file: string, opts: { nativeBinding?: string } = {}) {
    this.db = new BetterSqlite3(file, { nativeBinding: opts.nativeBinding });
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // The largest page size: a real photo's thumbnail is 8–16 KB, so 4–8 fit a 64 KB page and on
    // average half of one is left over (4 KB pages would spill each into overflow pages, 16 KB
    // pages would hold one and waste the rest). Only takes effect while the file is new.
    this.db.pragma('page_size = 65536');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS thumbnails (
      id INTEGER PRIMARY KEY,
      hash BLOB NOT NULL UNIQUE,
      data BLOB NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT`);
    this.getStmt = this.db.prepare('SELECT data FROM thumbnails WHERE hash = ?');
    this.hasStmt = this.db.prepare('SELECT 1 FROM thumbnails WHERE hash = ?').pluck() as BetterSqlite3.Statement<[Buffer], number>;
    this.putStmt = this.db.prepare('INSERT OR IGNORE INTO thumbnails (hash, data, created_at) VALUES (?, ?, ?)');
  }

  has(hash: string): boolean {
    return this.hasStmt.get(hashKey(hash)) !== undefined;
  }

  get(hash: string): Buffer | null {
    return this.getStmt.get(hashKey(hash))?.data ?? null;
  }

  /** Stores thumbnails in one transaction; a hash already present keeps its first thumbnail. */
  putMany(entries: readonly ThumbnailEntry[], now = Date.now()): void {
    if (entries.length === 0) return;
    this.db
      .transaction(() => {
        for (const e of entries) this.putStmt.run(hashKey(e.hash), Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength), now);
      })
      .immediate();
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM thumbnails').pluck().get() as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** 32 bytes instead of 64 hex characters, in the row and in the unique index. */
function hashKey(hash: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`not a sha256 hex digest: ${hash.slice(0, 70)}`);
  return Buffer.from(hash, 'hex');
}
