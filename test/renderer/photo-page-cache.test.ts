/** The sparse page cache behind the grid: fetches only what is asked, stays bounded, never blanks on refresh. */
import { describe, expect, it } from 'vitest';
import type { PhotoPage } from '../../src/shared/dto';
import { PhotoPageCache } from '../../src/renderer/lib/photo-page-cache';
import { makePhotos, settle } from './fake-transport';

function source(count: number) {
  const photos = makePhotos(count);
  const requests: number[] = [];
  let delayMs = 0;
  const fetchPage = async (offset: number, limit: number): Promise<PhotoPage> => {
    requests.push(offset);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    return { total: photos.length, offset, items: photos.slice(offset, offset + limit).map((p) => ({ ...p })) };
  };
  return { photos, requests, fetchPage, slow: (ms: number) => (delayMs = ms) };
}

describe('PhotoPageCache', () => {
  it('fetches only the pages covering the asked range', async () => {
    const src = source(20_000);
    const cache = new PhotoPageCache(src.fetchPage, { pageSize: 100 });
    cache.ensureRange(250, 420);
    await settle();
    expect(src.requests.sort((a, b) => a - b)).toEqual([200, 300, 400]);
    expect(cache.itemAt(250)?.id).toBe(251);
    expect(cache.itemAt(199)).toBeUndefined();
    expect(cache.total).toBe(20_000);
  });

  it('holds a bounded number of records however far it scrolls', async () => {
    const src = source(20_000);
    const cache = new PhotoPageCache(src.fetchPage, { pageSize: 100, maxPages: 5 });
    for (let i = 0; i < 20_000; i += 300) {
      cache.ensureRange(i, i + 60);
      await settle(2);
    }
    expect(cache.heldRecords).toBeLessThanOrEqual(5 * 100);
    expect(cache.itemAt(19_850)?.id).toBe(19_851);
  });

  it('keeps stale items on screen while a refresh is in flight', async () => {
    const src = source(500);
    const cache = new PhotoPageCache(src.fetchPage, { pageSize: 100 });
    cache.ensureRange(0, 50);
    await settle();
    src.photos[0].classId = 7;
    src.slow(50);
    cache.invalidate();
    expect(cache.itemAt(0)?.classId).toBeNull(); // old data, not a hole
    await settle(120);
    expect(cache.itemAt(0)?.classId).toBe(7);
  });

  it('learns that an empty query grew (first import) when refreshed', async () => {
    const src = source(0);
    const cache = new PhotoPageCache(src.fetchPage, { pageSize: 100 });
    cache.ensureRange(0, 50);
    await settle();
    expect(cache.total).toBe(0);
    src.photos.push(...makePhotos(30));
    cache.invalidate();
    await settle();
    expect(cache.total).toBe(30);
    expect(cache.itemAt(29)?.id).toBe(30);
  });
});
