/**
 * The feature cache at scale: one pooled MobileNetV2 vector (2 views × 1280) per photo written
 * through the app's own cache repository, then the bytes it takes on disk per photo, read from
 * SQLite's page statistics (dbstat): table and key index pages, unused space included.
 *
 * The vectors are synthetic but drawn from the value distribution of real ones (MobileNetV2 0.35
 * at 320 px with its mirror view, over hymenoptera's 398 photos: 27.2 % exact zeros, the rest
 * by the quantiles below), since a compressed row's size depends on that shape. Real rows came
 * to 1,815 bytes of compressed codes on average, these to about 1,770.
 */
import BetterSqlite3 from 'better-sqlite3';
import { putCachedFeatures } from '../../src/main/db/training-feature-repository';
import { openDatabase } from '../../src/main/db/database';

const DIM = 2 * 1280;
const EXTRACTOR = 'mobilenet_v2|bench|320|tm|avg-flip|v1';

export interface FeatureCacheFigures {
  rows: number;
  /** Table + key index pages over the rows, bytes. */
  bytesPerPhoto: number;
  /** Whole seconds spent writing them. */
  writeSeconds: number;
}

export function fillFeatureCache(projectFile: string): FeatureCacheFigures {
  const db = openDatabase(projectFile, { mustExist: true });
  const started = performance.now();
  let rows = 0;
  try {
    const hashes = db.prepare("SELECT hash FROM photos WHERE status = 'ok' AND hash IS NOT NULL ORDER BY id").pluck().all() as string[];
    for (let start = 0; start < hashes.length; start += 500) {
      const batch = hashes.slice(start, start + 500).map((hash, i) => ({ hash, data: syntheticVector(start + i) }));
      putCachedFeatures(db, EXTRACTOR, batch);
      rows += batch.length;
    }
  } finally {
    db.close();
  }
  const writeSeconds = (performance.now() - started) / 1000;
  return { rows, bytesPerPhoto: cacheBytes(projectFile) / Math.max(rows, 1), writeSeconds };
}

/** Bytes of every page of the feature tables and their indexes, as dbstat reports them. */
function cacheBytes(projectFile: string): number {
  const db = new BetterSqlite3(projectFile, { readonly: true });
  try {
    return db.prepare("SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'feature%'").pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Percentiles (0, 5, …, 100, finer in the tail) of the non-zero values of real vectors. */
const PERCENTILES = [
  0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 93, 95, 97, 98, 99, 99.5, 99.8, 99.9, 99.95, 99.99, 100
];
const VALUES = [
  0.0, 0.0046, 0.0103, 0.0178, 0.0277, 0.04, 0.0551, 0.0734, 0.0952, 0.1211, 0.1519, 0.1886, 0.2316, 0.2829, 0.3435, 0.4175, 0.5093, 0.6288,
  0.8025, 0.9625, 1.1148, 1.3595, 1.5649, 1.9338, 2.3232, 2.8809, 3.3137, 3.6929, 4.5232, 5.6672
];
const ZEROS = 0.2719;

function syntheticVector(seed: number): Float32Array {
  const next = random(seed);
  const v = new Float32Array(DIM);
  for (let i = 0; i < DIM; i++) v[i] = next() < ZEROS ? 0 : quantile(next() * 100);
  return v;
}

function quantile(p: number): number {
  let k = 1;
  while (k < PERCENTILES.length - 1 && PERCENTILES[k] < p) k++;
  const t = (p - PERCENTILES[k - 1]) / (PERCENTILES[k] - PERCENTILES[k - 1]);
  return VALUES[k - 1] + t * (VALUES[k] - VALUES[k - 1]);
}

/** mulberry32: a small seeded generator, so every run writes the same vectors. */
function random(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
