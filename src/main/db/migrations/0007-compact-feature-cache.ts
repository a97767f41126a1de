import type { Database } from 'better-sqlite3';
import { encodeU8Deflate } from '../feature-codec';
import type { Migration } from './migration';

/** Rows converted per batch: a statement cannot write while another one is still reading. */
const BATCH = 256;

/**
 * The feature cache in its compact form (see feature-codec.ts): a rowid table (so a ~2 KB row
 * sits in its page, where a WITHOUT ROWID table would spill anything over ~1 KB to overflow
 * pages), the extractor key stored once in its own table instead of in every row and again in
 * the key index. Rows of the float32 table are converted, so a retrain after the upgrade still
 * finds its features. The space they held is reused by SQLite as the project grows (the file
 * shrinks only with a VACUUM).
 */
export const compactFeatureCacheMigration: Migration = {
  version: 7,
  name: 'compact-feature-cache',
  up(db) {
    db.exec(`
      CREATE TABLE feature_extractors (
        id INTEGER PRIMARY KEY,
        -- backbone, weights, input size, preprocessing, pooling and feature version
        key TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE TABLE feature_vectors (
        id INTEGER PRIMARY KEY,
        extractor_id INTEGER NOT NULL REFERENCES feature_extractors(id) ON DELETE CASCADE,
        hash TEXT NOT NULL,
        dim INTEGER NOT NULL,
        data BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX feature_vectors_key ON feature_vectors(hash, extractor_id);
      INSERT INTO feature_extractors (key) SELECT DISTINCT extractor FROM feature_cache ORDER BY extractor;
    `);
    convertRows(db);
    db.exec('DROP TABLE feature_cache');
  }
};

function convertRows(db: Database): void {
  const read = db.prepare(
    `SELECT c.rowid AS rowid, c.hash, e.id AS extractorId, c.dim, c.data, c.created_at AS createdAt
     FROM feature_cache c JOIN feature_extractors e ON e.key = c.extractor WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?`
  );
  const write = db.prepare('INSERT INTO feature_vectors (extractor_id, hash, dim, data, created_at) VALUES (?, ?, ?, ?, ?)');
  let after = 0;
  for (;;) {
    const rows = read.all(after, BATCH) as Array<{
      rowid: number;
      hash: string;
      extractorId: number;
      dim: number;
      data: Buffer;
      createdAt: number;
    }>;
    if (rows.length === 0) return;
    for (const r of rows) {
      const values = new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength));
      // A row whose length does not match its dim was never readable: leave it behind.
      if (values.length === r.dim) write.run(r.extractorId, r.hash, r.dim, encodeU8Deflate(values), r.createdAt);
    }
    after = rows[rows.length - 1].rowid;
  }
}
