/** The feature stage of a training job: cached features first, then forward passes for the rest. */
import type { Backbone } from '../backbone';
import { extractFeatures, extractorKey, type FeaturePooling } from './features';
import type { ProgressClock } from './progress-clock';
import type { TrainingJob } from './job-types';
import type { TrainingJobIO } from './job-io';

export interface FeatureStageResult {
  features: Map<string, Float32Array>;
  computed: number;
  cached: number;
  failed: { photoId: number; reason: string }[];
  cancelled: boolean;
  /** Label of the runtime that computed features; null when all came from the cache. */
  inference: string | null;
}

/** Cached features first (asked of the main side), then forward passes for the rest. */
export async function featureStage(
  job: TrainingJob,
  backbone: Backbone,
  io: TrainingJobIO,
  clock: ProgressClock
): Promise<FeatureStageResult> {
  const pooling: FeaturePooling = job.config.head === 'gap' ? 'avg-flip' : 'none';
  const extractor = extractorKey(backbone, pooling);
  const photos = uniqueByHash([...job.items, ...job.unlabeled]);
  const cachedEntries = await io.requestCachedFeatures(
    extractor,
    photos.map((p) => p.hash)
  );
  const features = new Map(cachedEntries.map((e) => [e.hash, e.data] as const));
  const missing = photos.filter((p) => !features.has(p.hash));
  clock.start('features', missing.length, { note: `${features.size} cached, ${missing.length} to compute` });
  const extracted = await extractFeatures(
    backbone,
    missing,
    { pooling, exportCacheDir: job.config.exportCacheDir },
    {
      onBatch(entries, done, total) {
        if (entries.length > 0) io.onFeatures(extractor, entries);
        clock.countItems(entries.length);
        clock.report(done, total);
      },
      shouldStop: io.shouldStop
    }
  );
  for (const [hash, data] of extracted.features) features.set(hash, data);
  const byHash = new Map(photos.map((p) => [p.hash, p.photoId] as const));
  const failed = extracted.failed.map((f) => ({ photoId: byHash.get(f.hash) ?? -1, reason: f.reason }));
  return {
    features,
    computed: extracted.features.size,
    cached: cachedEntries.length,
    failed,
    cancelled: extracted.cancelled,
    inference: extracted.inference?.label ?? null
  };
}

function uniqueByHash<T extends { hash: string }>(photos: readonly T[]): T[] {
  const seen = new Set<string>();
  return photos.filter((p) => (seen.has(p.hash) ? false : (seen.add(p.hash), true)));
}
