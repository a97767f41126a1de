import { AppError } from '../../shared/errors';

/**
 * Runs `work` over `items` with at most `concurrency` in flight and returns results in input
 * order. Image work is I/O plus libvips threads, so a few parallel tasks keep both cores busy.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function runner(): Promise<void> {
    while (next < items.length) {
      if (signal?.aborted) throw new AppError('CANCELLED', 'The import was cancelled.');
      const index = next++;
      results[index] = await work(items[index], index);
    }
  }
  const runners = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, () => runner());
  await Promise.all(runners);
  return results;
}
