/**
 * Features of image files through a backbone: what the CLI's `embed` prints. Decoding runs
 * ahead while the previous batch is in the frozen forward pass (ONNX Runtime, else tfjs).
 */
import type { InferenceInfo } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { initBackend } from './backend';
import { decodeAhead, decodeAheadFor, openBackboneForward, throughputBatchSize, type FrozenForward } from './index';
import { loadBackbone } from './load-backbone';

export interface EmbeddingRow {
  /** Shape of one image's features: [C] pooled, [h, w, C] with pool 'none'. */
  shape: number[];
  data: Float32Array;
}

export interface EmbedRequest {
  backboneId: string;
  weightsPath: string;
  /** Input side, px (default 224). */
  inputSize?: number;
  pool: 'none' | 'avg' | 'max';
  /** Images per forward pass; default sized for throughput. */
  batch?: number;
  /** Folder of exported ONNX graphs. */
  cacheDir: string;
  images: string[];
}

/** Wall times of one run, ms. Decoding overlaps inference: decodeMs is only the time spent waiting for it. */
export interface EmbedTimings {
  backendMs: number;
  /** Backbone, export (or exported graph from the cache) and session. */
  loadMs: number;
  decodeMs: number;
  inferMs: number;
  totalMs: number;
}

export interface EmbedSummary {
  info: InferenceInfo;
  backboneId: string;
  inputSize: number;
  timings: EmbedTimings;
}

/** Runs every image through the backbone, handing each row to `onRow` as soon as it is ready. */
export async function embedImages(req: EmbedRequest, onRow: (file: string, row: EmbeddingRow) => void): Promise<EmbedSummary> {
  const t0 = performance.now();
  await initBackend();
  const t1 = performance.now();
  const backbone = await loadBackbone({ id: req.backboneId, weightsPath: req.weightsPath, inputSize: req.inputSize });
  const timings: EmbedTimings = { backendMs: t1 - t0, loadMs: 0, decodeMs: 0, inferMs: 0, totalMs: 0 };
  try {
    const forward = await openBackboneForward(backbone, req.pool === 'none' ? 'maps' : req.pool, { cacheDir: req.cacheDir });
    timings.loadMs = performance.now() - t1;
    try {
      await embedAll(forward, req.images, req.batch ?? throughputBatchSize(backbone.base, 1), timings, onRow);
    } finally {
      await forward.dispose();
    }
    timings.totalMs = performance.now() - t0;
    return { info: forward.info, backboneId: backbone.id, inputSize: backbone.inputSize, timings };
  } finally {
    backbone.dispose();
  }
}

async function embedAll(
  forward: FrozenForward,
  images: string[],
  batchSize: number,
  timings: EmbedTimings,
  onRow: (file: string, row: EmbeddingRow) => void
): Promise<void> {
  const items = images.map((p) => ({ path: p }));
  const per = forward.outputShape.reduce((a, b) => a * b, 1);
  let waited = performance.now();
  for await (const batch of decodeAhead(items, { inputSize: forward.spec.inputSize, batchSize, ahead: decodeAheadFor(batchSize) })) {
    const ti = performance.now();
    timings.decodeMs += ti - waited;
    const failed = batch.failed[0];
    if (failed) throw new AppError('IO_ERROR', failed.reason);
    const data = await forward.run(batch.decoded.map((d) => d.pixels));
    timings.inferMs += performance.now() - ti;
    batch.decoded.forEach((d, k) => onRow(d.item.path, { shape: forward.outputShape, data: data.subarray(k * per, (k + 1) * per) }));
    waited = performance.now();
  }
}
