/**
 * The feature cache: one float32 vector per (content hash, extractor). The extractor key names
 * backbone, weights, input size, pooling and preprocessing version, so a change to any of them
 * misses the cache instead of reusing stale features.
 */
import type { Database } from './database';

export function getCachedFeatures(db: Database, extractor: string, hashes: readonly string[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const stmt = db.prepare('SELECT data FROM feature_cache WHERE hash = ? AND extractor = ?').pluck();
  for (const hash of new Set(hashes)) {
    const blob = stmt.get(hash, extractor) as Buffer | undefined;
    if (!blob) continue;
    // Copy: the Buffer may be a view into a pooled allocation not aligned for Float32Array.
    const copy = new Uint8Array(blob.byteLength);
    copy.set(blob);
    out.set(hash, new Float32Array(copy.buffer));
  }
  return out;
}

export function putCachedFeatures(
  db: Database,
  extractor: string,
  entries: readonly { hash: string; data: Float32Array }[],
  now = Date.now()
): void {
  const stmt = db.prepare('INSERT OR REPLACE INTO feature_cache (hash, extractor, dim, data, created_at) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const { hash, data } of entries) {
      stmt.run(hash, extractor, data.length, Buffer.from(data.buffer, data.byteOffset, data.byteLength), now);
    }
  }).immediate();
}

export function countCachedFeatures(db: Database, extractor?: string): number {
  const sql = extractor === undefined ? 'SELECT COUNT(*) FROM feature_cache' : 'SELECT COUNT(*) FROM feature_cache WHERE extractor = ?';
  const stmt = db.prepare(sql).pluck();
  return (extractor === undefined ? stmt.get() : stmt.get(extractor)) as number;
}
