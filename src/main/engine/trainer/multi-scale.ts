/**
 * Multi-scale features: the frozen base's pooled features of the same photo at several input
 * sizes, side by side (e.g. 224 and 320 px). Each size keeps its own feature-cache entries (the
 * ones a single-size run uses too), so the concatenation costs no forward pass beyond the two
 * single sizes. A row keeps the 'avg-flip' layout — every scale of the photo, then every scale of
 * its mirror image — so the head trains and predicts on both views as with one size, and the
 * saved classifier concatenates its pooled branches in the same order (classifier.ts).
 *
 * Only for the frozen-feature head: fine-tuning changes one base at one size, and the check
 * whether it pays compares at one size.
 */
import { loadBackbone } from '../load-backbone';
import type { Backbone } from '../backbone';
import { featureStage, type FeatureStageResult } from './feature-stage';
import type { TrainingJob } from './job-types';
import type { TrainingJobIO } from './job-io';
import type { ProgressClock } from './progress-clock';

/** e.g. "224+320". */
export function scalesLabel(scales: readonly number[]): string {
  return scales.join('+');
}

/**
 * One photo's multi-scale row from its 'avg-flip' rows at each scale ([photo, mirror] each, same
 * length): [photo at each scale…, mirror at each scale…].
 */
export function multiScaleRow(rows: readonly Float32Array[]): Float32Array {
  const half = rows.map((r) => r.length / 2);
  const total = half.reduce((a, b) => a + b, 0);
  const out = new Float32Array(2 * total);
  let offset = 0;
  rows.forEach((row, i) => {
    out.set(row.subarray(0, half[i]), offset);
    out.set(row.subarray(half[i]), total + offset);
    offset += half[i];
  });
  return out;
}

/** Multi-scale rows of the photos every scale has features for. */
export function multiScaleFeatures(perScale: readonly Map<string, Float32Array>[]): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const hash of perScale[0].keys()) {
    const rows = perScale.map((m) => m.get(hash));
    if (rows.every((r) => r !== undefined)) out.set(hash, multiScaleRow(rows as Float32Array[]));
  }
  return out;
}

/**
 * The feature stage at each scale (cache first, as a single-size run), then their rows side by
 * side. `largest` is the run's backbone at the largest scale; the smaller ones are loaded here.
 */
export async function multiScaleFeatureStage(
  job: TrainingJob,
  scales: readonly number[],
  largest: Backbone,
  io: TrainingJobIO,
  clock: ProgressClock
): Promise<FeatureStageResult> {
  const results: FeatureStageResult[] = [];
  for (const size of scales) {
    const backbone =
      size === largest.inputSize
        ? largest
        : await loadBackbone({ id: job.config.backboneId, weightsPath: job.config.weightsPath, inputSize: size });
    try {
      const result = await featureStage(job, backbone, io, clock);
      results.push(result);
      if (result.cancelled || io.shouldStop()) return { ...result, cancelled: true };
    } finally {
      if (backbone !== largest) backbone.dispose();
    }
  }
  const failed = new Map(results.flatMap((r) => r.failed).map((f) => [f.photoId, f] as const));
  return {
    features: multiScaleFeatures(results.map((r) => r.features)),
    computed: results.reduce((n, r) => n + r.computed, 0),
    cached: results.reduce((n, r) => n + r.cached, 0),
    failed: [...failed.values()],
    cancelled: false,
    inference: results.find((r) => r.inference !== null)?.inference ?? null
  };
}
