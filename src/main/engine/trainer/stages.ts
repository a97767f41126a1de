/** The steps of a training job, each small enough to read on its own; pipeline.ts runs them. */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { Backbone } from '../index';
import { extractFeatures, extractorKey, type FeaturePooling } from './features';
import type { ProgressClock } from './progress-clock';
import type { TrainingJob } from './job-types';
import type { TrainingJobIO } from './pipeline';

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

/** Shape of one feature row as the head sees it: [C] pooled or [h, w, C] unpooled. */
export function featureShape(backbone: Backbone, pooled: boolean): number[] {
  const shape = backbone.base.outputs[0].shape.slice(1) as number[];
  if (shape.some((d) => typeof d !== 'number'))
    throw new AppError('UNSUPPORTED', `Backbone ${backbone.id} has no static output shape at ${backbone.inputSize} px`);
  return pooled ? [shape[shape.length - 1]] : shape;
}

/**
 * Stacks one view of each feature row into a tensor [N, ...shape]: view 0 is the photo, view 1
 * its mirror image when the row holds both ('avg-flip'); a single-view row serves both views.
 */
export function stackFeatures(rows: readonly Float32Array[], shape: number[], view: 0 | 1 = 0): tf.Tensor {
  const dim = shape.reduce((a, b) => a * b, 1);
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    const offset = row.length >= 2 * dim ? view * dim : 0;
    flat.set(row.subarray(offset, offset + dim), i * dim);
  });
  return tf.tensor(flat, [rows.length, ...shape], 'float32');
}
