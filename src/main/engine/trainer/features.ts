/**
 * Stage-1 input: one feature vector per photo from the frozen base, computed in batches for the
 * photos the cache does not have. A photo that cannot be decoded is reported and left out
 * rather than failing the run.
 */
import type { InferenceInfo } from '../../../shared/dto';
import type { Backbone } from '../backbone';
import { openBackboneForward } from '../inference/backbone-forward';
import { decodeAheadFor, throughputBatchSize } from '../inference/batching';
import { decodeAhead, type DecodedBatch } from '../inference/decode-ahead';
import { yieldToEventLoop } from './train-head';

/** Bump when the way features are computed changes, so old cache entries stop matching. */
export const FEATURE_VERSION = 1;

/**
 * 'avg-flip': globally averaged features of the photo and of its mirror image, stored side by
 * side ([2 · dim]); the head trains on both and predictions average both (test-time flip).
 * Chosen by 5-fold cross-validation on hymenoptera's train split only (flip helped by about
 * one point in two independent CV protocols), never by looking at the validation split. 'none': unpooled maps (for the VGG fc head).
 */
export type FeaturePooling = 'avg-flip' | 'none';

/** The cache key part that names how a feature was computed. */
export function extractorKey(
  backbone: Pick<Backbone, 'id' | 'weightsKey' | 'inputSize' | 'preprocessing'>,
  pooling: FeaturePooling
): string {
  return `${backbone.id}|${backbone.weightsKey}|${backbone.inputSize}|${backbone.preprocessing}|${pooling}|v${FEATURE_VERSION}`;
}

export interface ExtractHooks {
  /** After each batch: its new features (to persist) and the running count. */
  onBatch(entries: { hash: string; data: Float32Array }[], done: number, total: number): void;
  shouldStop(): boolean;
}

export interface ExtractResult {
  features: Map<string, Float32Array>;
  failed: { path: string; hash: string; reason: string }[];
  cancelled: boolean;
  /** What computed them; null when there was nothing to compute. */
  inference: InferenceInfo | null;
}

export interface ExtractOptions {
  pooling: FeaturePooling;
  /** Photos per forward pass; default sized for throughput within a memory budget. */
  batchSize?: number;
  /** Folder for exported ONNX graphs (kept between runs). */
  exportCacheDir?: string;
}

/** Forward passes through the base, counted so tests can prove the cache is used. */
export const forwardPassCounter = { images: 0 };

/**
 * Features of the photos through the frozen base on the best runtime (ONNX Runtime, else
 * tfjs), decoding the next photos while the current batch runs.
 */
export async function extractFeatures(
  backbone: Backbone,
  photos: readonly { hash: string; path: string }[],
  opts: ExtractOptions,
  hooks: ExtractHooks
): Promise<ExtractResult> {
  const features = new Map<string, Float32Array>();
  const failed: ExtractResult['failed'] = [];
  if (photos.length === 0) return { features, failed, cancelled: false, inference: null };
  const views = opts.pooling === 'avg-flip' ? 2 : 1;
  const forward = await openBackboneForward(backbone, opts.pooling === 'avg-flip' ? 'avg-flip' : 'maps', { cacheDir: opts.exportCacheDir });
  const batchSize = opts.batchSize ?? throughputBatchSize(backbone.base, views);
  const result = (cancelled: boolean): ExtractResult => ({ features, failed, cancelled, inference: forward.info });
  const dim = forward.outputShape.reduce((a, b) => a * b, 1);
  // Batches whose pass has started, oldest first: with sessions side by side (forward.concurrency)
  // the next batch is handed over before the oldest finishes, so no session waits in between.
  const inFlight: { batch: DecodedBatch<(typeof photos)[number]>; out: Promise<Float32Array> }[] = [];
  let done = 0;
  const finishOldest = async () => {
    const { batch, out } = inFlight.shift() as (typeof inFlight)[number];
    const flat = await out;
    forwardPassCounter.images += batch.decoded.length * views;
    const entries = batch.decoded.map((d, i) => ({ hash: d.item.hash, data: flat.slice(i * dim, (i + 1) * dim) }));
    for (const entry of entries) features.set(entry.hash, entry.data);
    done += batch.size;
    hooks.onBatch(entries, done, photos.length);
  };
  try {
    for await (const batch of decodeAhead(photos, { inputSize: backbone.inputSize, batchSize, ahead: decodeAheadFor(batchSize) })) {
      await yieldToEventLoop();
      if (hooks.shouldStop()) return result(true);
      for (const f of batch.failed) failed.push({ path: f.item.path, hash: f.item.hash, reason: f.reason });
      const out = forward.run(batch.decoded.map((d) => d.pixels));
      out.catch(() => undefined); // awaited in order below; a failure must not go unhandled meanwhile
      inFlight.push({ batch, out });
      if (inFlight.length >= (forward.concurrency ?? 1)) await finishOldest();
    }
    while (inFlight.length > 0) await finishOldest();
  } finally {
    await Promise.allSettled(inFlight.map((f) => f.out));
    await forward.dispose();
  }
  return result(false);
}
