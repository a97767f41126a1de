/**
 * The feature cache: one vector per (content hash, extractor). The extractor key names backbone,
 * weights, input size, pooling and preprocessing version, so a change to any of them misses the
 * cache instead of reusing stale features. Vectors are stored compactly (feature-codec.ts) and
 * handed out as Float32Array.
 */
import type { Database } from './database';
import { decodeFeatures, encodeU8Deflate } from './feature-codec';

export function getCachedFeatures(db: Database, extractor: string, hashes: readonly string[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const extractorId = findExtractor(db, extractor);
  if (extractorId === null) return out;
  const stmt = db.prepare('SELECT dim, data FROM feature_vectors WHERE hash = ? AND extractor_id = ?');
  for (const hash of new Set(hashes)) {
    const row = stmt.get(hash, extractorId) as { dim: number; data: Buffer } | undefined;
    if (row) out.set(hash, decodeFeatures(row.data, row.dim));
  }
  return out;
}

export function putCachedFeatures(
  db: Database,
  extractor: string,
  entries: readonly { hash: string; data: Float32Array }[],
  now = Date.now()
): void {
  const stmt = db.prepare(
    `INSERT INTO feature_vectors (extractor_id, hash, dim, data, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (hash, extractor_id) DO UPDATE SET dim = excluded.dim, data = excluded.data, created_at = excluded.created_at`
  );
  // Encoded before the transaction: deflating is the slow part, and it needs no lock.
  const rows = entries.map(({ hash, data }) => [hash, data.length, encodeU8Deflate(data)] as const);
  db.transaction(() => {
    const extractorId = ensureExtractor(db, extractor);
    for (const [hash, dim, blob] of rows) stmt.run(extractorId, hash, dim, blob, now);
  }).immediate();
}

export function countCachedFeatures(db: Database, extractor?: string): number {
  if (extractor === undefined) return db.prepare('SELECT COUNT(*) FROM feature_vectors').pluck().get() as number;
  const extractorId = findExtractor(db, extractor);
  if (extractorId === null) return 0;
  return db.prepare('SELECT COUNT(*) FROM feature_vectors WHERE extractor_id = ?').pluck().get(extractorId) as number;
}

function findExtractor(db: Database, key: string): number | null {
  return (db.prepare('SELECT id FROM feature_extractors WHERE key = ?').pluck().get(key) as number | undefined) ?? null;
}

function ensureExtractor(db: Database, key: string): number {
  db.prepare('INSERT INTO feature_extractors (key) VALUES (?) ON CONFLICT (key) DO NOTHING').run(key);
  return findExtractor(db, key) as number;
}
