/**
 * Stage-1 input: one feature vector per photo from the frozen base, computed in batches for the
 * photos the cache does not have. A photo that cannot be decoded is reported and left out
 * rather than failing the run.
 */
import * as tf from '@tensorflow/tfjs';
import { imagesToTensor, loadImage, type Backbone } from '../index';
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
}

/** Forward passes through the base, counted so tests can prove the cache is used. */
export const forwardPassCounter = { images: 0 };

export async function extractFeatures(
  backbone: Backbone,
  photos: readonly { hash: string; path: string }[],
  opts: { pooling: FeaturePooling; batchSize: number },
  hooks: ExtractHooks
): Promise<ExtractResult> {
  const features = new Map<string, Float32Array>();
  const failed: ExtractResult['failed'] = [];
  let done = 0;
  for (let start = 0; start < photos.length; start += opts.batchSize) {
    await yieldToEventLoop();
    if (hooks.shouldStop()) return { features, failed, cancelled: true };
    const batch = photos.slice(start, start + opts.batchSize);
    const decoded = await decodeBatch(backbone.inputSize, batch, failed);
    const entries = decoded.length > 0 ? await forward(backbone, decoded, opts.pooling) : [];
    for (const entry of entries) features.set(entry.hash, entry.data);
    done += batch.length;
    hooks.onBatch(entries, done, photos.length);
  }
  return { features, failed, cancelled: false };
}

async function decodeBatch(
  size: number,
  batch: readonly { hash: string; path: string }[],
  failed: ExtractResult['failed']
): Promise<{ hash: string; pixels: Uint8Array }[]> {
  const results = await Promise.all(
    batch.map(async (photo) => {
      try {
        return { hash: photo.hash, pixels: await loadImage(photo.path, size) };
      } catch (err) {
        failed.push({ path: photo.path, hash: photo.hash, reason: (err as Error).message });
        return null;
      }
    })
  );
  return results.filter((r): r is { hash: string; pixels: Uint8Array } => r !== null);
}

async function forward(
  backbone: Backbone,
  decoded: { hash: string; pixels: Uint8Array }[],
  pooling: FeaturePooling
): Promise<{ hash: string; data: Float32Array }[]> {
  const out = tf.tidy(() => {
    const x = imagesToTensor(
      decoded.map((d) => d.pixels),
      backbone.inputSize
    );
    if (pooling === 'avg-flip') return tf.concat([backbone.embed(x, 'avg'), backbone.embed(tf.reverse(x, 2) as tf.Tensor4D, 'avg')], 1);
    const maps = backbone.base.predict(backbone.preprocess(x)) as tf.Tensor;
    return maps.reshape([decoded.length, -1]) as tf.Tensor2D;
  });
  forwardPassCounter.images += decoded.length * (pooling === 'avg-flip' ? 2 : 1);
  const flat = (await out.data()) as Float32Array;
  const dim = out.shape[1];
  out.dispose();
  return decoded.map((d, i) => ({ hash: d.hash, data: flat.slice(i * dim, (i + 1) * dim) }));
}
