/**
 * Photos in batches, decoded ahead of use: while the caller runs inference on one batch, the
 * next ones are already being decoded by sharp on libuv's threads, so decode and inference
 * overlap and every core has work. At most `ahead + 1` batches of pixels exist at once, so
 * memory stays bounded however many photos there are.
 */
import { loadImage } from '../image';

export interface DecodedBatch<T> {
  /** Photos that decoded, with their RGB bytes, in input order. */
  decoded: { item: T; pixels: Uint8Array }[];
  /** Photos that could not be decoded, with the reason. */
  failed: { item: T; reason: string }[];
  /** Photos of this batch, decoded or not. */
  size: number;
}

export interface DecodeAheadOptions {
  /** Square side the photos are decoded to, px. */
  inputSize: number;
  batchSize: number;
  /** Batches decoding beyond the one in use (default 1). */
  ahead?: number;
  /** The decoder; defaults to the engine's one entry point (loadImage). */
  decode?: (path: string, size: number) => Promise<Uint8Array>;
}

async function decodeBatch<T extends { path: string }>(items: readonly T[], opts: DecodeAheadOptions): Promise<DecodedBatch<T>> {
  const decode = opts.decode ?? loadImage;
  const results = await Promise.all(
    items.map(async (item) => {
      try {
        return { item, pixels: await decode(item.path, opts.inputSize) };
      } catch (err) {
        return { item, reason: err instanceof Error ? err.message : String(err) };
      }
    })
  );
  return {
    decoded: results.filter((r): r is { item: T; pixels: Uint8Array } => 'pixels' in r),
    failed: results.filter((r): r is { item: T; reason: string } => 'reason' in r),
    size: items.length
  };
}

/**
 * Yields the photos' batches in order. Stopping early (break, return) is safe: batches already
 * decoding finish on their own and are dropped.
 */
export async function* decodeAhead<T extends { path: string }>(
  items: readonly T[],
  opts: DecodeAheadOptions
): AsyncGenerator<DecodedBatch<T>> {
  const ahead = Math.max(0, opts.ahead ?? 1);
  const pending: Promise<DecodedBatch<T>>[] = [];
  let next = 0;
  const fill = () => {
    while (pending.length <= ahead && next < items.length) {
      pending.push(decodeBatch(items.slice(next, next + opts.batchSize), opts));
      next += opts.batchSize;
    }
  };
  for (;;) {
    fill();
    const batch = pending.shift();
    if (!batch) return;
    const ready = await batch;
    // Start the next batch before handing this one over: inference blocks this thread.
    fill();
    yield ready;
  }
}
