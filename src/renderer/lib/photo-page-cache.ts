/**
 * A sparse cache of one query's photos, fetched page by page as the grid scrolls. It keeps a
 * bounded number of pages, so a 20,000-photo library never sits in memory as records; stale
 * pages stay on screen until their refetch lands, so a relabel never flashes an empty grid.
 */
import type { PhotoDto, PhotoPage } from '../../shared/dto';

export type PageFetcher = (offset: number, limit: number) => Promise<PhotoPage>;

interface CachedPage {
  items: PhotoDto[];
  /** Cache generation the page was fetched in; older means stale. */
  generation: number;
}

export interface PageCacheOptions {
  pageSize?: number;
  /** Most pages kept at once; the ones farthest from the viewport go first. */
  maxPages?: number;
  /** Concurrent page requests. */
  concurrency?: number;
  onChange?: () => void;
  onError?: (err: unknown) => void;
}

export class PhotoPageCache {
  readonly pageSize: number;
  private readonly maxPages: number;
  private readonly concurrency: number;
  private readonly pages = new Map<number, CachedPage>();
  private readonly inflight = new Set<number>();
  private wanted: number[] = [];
  private readonly viewers = new Map<string, number[]>();
  private generation = 0;
  /** Matching photos over all pages; null until the first page answers. */
  total: number | null = null;

  constructor(
    private readonly fetchPage: PageFetcher,
    private readonly options: PageCacheOptions = {}
  ) {
    this.pageSize = options.pageSize ?? 200;
    this.maxPages = options.maxPages ?? 12;
    this.concurrency = options.concurrency ?? 2;
  }

  itemAt(index: number): PhotoDto | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize));
    return page?.items[index % this.pageSize];
  }

  /** Number of records held, for tests and the bench. */
  get heldRecords(): number {
    let n = 0;
    for (const page of this.pages.values()) n += page.items.length;
    return n;
  }

  /**
   * Asks for the pages covering [start, end] (inclusive indices) and fetches what is missing.
   * Each `viewer` (the grid, the preview) keeps its own range, so one never starves the other.
   */
  ensureRange(start: number, end: number, viewer = 'grid'): void {
    const first = Math.max(0, Math.floor(start / this.pageSize));
    const last = Math.max(first, Math.floor(Math.max(start, end) / this.pageSize));
    const pages: number[] = [];
    for (let p = first; p <= last; p++) pages.push(p);
    this.viewers.set(viewer, pages);
    this.wanted = [...new Set([...this.viewers.values()].flat())];
    this.pump();
  }

  /** A viewer went away (the preview closed); its pages may be evicted. */
  release(viewer: string): void {
    this.viewers.delete(viewer);
    this.wanted = [...new Set([...this.viewers.values()].flat())];
  }

  /** Loads the range and resolves when its pages are present (used before reading ids). */
  async loadRange(start: number, end: number): Promise<void> {
    this.ensureRange(start, end);
    while (this.wanted.some((p) => !this.isFresh(p) && this.pageExists(p))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Marks everything stale and refetches the pages currently wanted. */
  invalidate(): void {
    this.markStale();
    this.pump();
  }

  /** Marks everything stale without fetching: a query not on screen refetches when it is shown again. */
  markStale(): void {
    this.generation++;
    for (const p of [...this.pages.keys()]) if (!this.wanted.includes(p)) this.pages.delete(p);
  }

  /** Changes the held photos whose id is in `ids` (an optimistic update before the refetch). */
  patch(ids: ReadonlySet<number>, change: Partial<PhotoDto>): number {
    let n = 0;
    for (const page of this.pages.values()) {
      page.items.forEach((item, i) => {
        if (!ids.has(item.id)) return;
        page.items[i] = { ...item, ...change };
        n++;
      });
    }
    return n;
  }

  /** Puts these photos in place of the held ones with the same id (the main side's word on them). */
  replace(photos: ReadonlyMap<number, PhotoDto>): number {
    let n = 0;
    for (const page of this.pages.values()) {
      page.items.forEach((item, i) => {
        const fresh = photos.get(item.id);
        if (!fresh) return;
        page.items[i] = fresh;
        n++;
      });
    }
    return n;
  }

  /** Index of a photo id among the held pages, or -1. */
  indexOf(id: number): number {
    for (const [p, page] of this.pages) {
      const i = page.items.findIndex((item) => item.id === id);
      if (i >= 0) return p * this.pageSize + i;
    }
    return -1;
  }

  private isFresh(p: number): boolean {
    return this.pages.get(p)?.generation === this.generation;
  }

  private pageExists(p: number): boolean {
    // Page 0 is always worth asking for: it is how a stale total learns it grew.
    return p === 0 || this.total === null || p * this.pageSize < this.total;
  }

  private pump(): void {
    for (const p of this.wanted) {
      if (this.inflight.size >= this.concurrency) return;
      if (this.isFresh(p) || this.inflight.has(p) || !this.pageExists(p)) continue;
      void this.load(p);
    }
  }

  private async load(p: number): Promise<void> {
    this.inflight.add(p);
    const generation = this.generation;
    try {
      const page = await this.fetchPage(p * this.pageSize, this.pageSize);
      this.pages.set(p, { items: page.items, generation });
      this.total = page.total;
      this.evict();
      this.options.onChange?.();
    } catch (err) {
      // Stop asking for a page that fails; the next ensureRange or refresh asks again.
      this.wanted = this.wanted.filter((w) => w !== p);
      for (const [viewer, pages] of this.viewers)
        this.viewers.set(
          viewer,
          pages.filter((w) => w !== p)
        );
      this.options.onError?.(err);
    } finally {
      this.inflight.delete(p);
      this.pump();
    }
  }

  private evict(): void {
    if (this.pages.size <= this.maxPages) return;
    const center = this.wanted.length ? this.wanted[Math.floor(this.wanted.length / 2)] : 0;
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const p of byDistance) {
      if (this.pages.size <= this.maxPages) break;
      if (!this.wanted.includes(p)) this.pages.delete(p);
    }
  }
}
