/**
 * The frozen lower part's output for fine-tuning: one map per training photo and augmented view
 * (view v is what epoch v+1 trains on) and one plain map per validation photo, computed by
 * ONNX Runtime (or tfjs, its fallback) from the photos decoded once.
 *
 * Kept or computed when needed? Kept, as float16, while they fit a memory budget: epochs (and
 * the repeated fine-tunes of a cross-validation) then cost no forward pass below the top block.
 * Beyond the budget each batch's maps are computed when the batch comes up — the same numbers,
 * since every view's augmentation is drawn from its own seed — so memory stays bounded on any
 * dataset. They are not written to the project's feature cache: VGG16's block4_pool map is
 * 200 KB per view in float16 (14×14×512 at 224 px), ~0.6 MB per photo for three views, which
 * would grow a project file faster than the photos' own features by a thousand times.
 */
import type { FrozenForward } from '../inference/forward-spec';
import { augmentParams, augmentPixels, viewSeed } from './augment-pixels';
import { decodeHalfInto, encodeHalf } from './float16';

/** Maps kept in memory up to this many bytes (float16); beyond it they are computed per batch. */
export const LOWER_MAPS_BUDGET = 768 * 1024 ** 2;

export interface LowerMapsOptions {
  /** Lower part of the base (input → cut), with maps output ('none' pooling, one view). */
  forward: FrozenForward;
  /** Decoded photos at the input size: training photos first, then validation photos. */
  pixels: Uint8Array[];
  trainCount: number;
  /** Augmented views per training photo (one per epoch). */
  views: number;
  seed: number;
  budgetBytes?: number;
  /** Photos per forward pass. */
  batchSize: number;
  onProgress?(done: number, total: number): void;
  shouldStop?(): boolean;
}

export class LowerMaps {
  readonly mapShape: number[];
  readonly mapSize: number;
  readonly kept: boolean;
  /** [photo][view] for training photos; [photo][0] for validation photos (index trainCount + i). */
  private readonly store: Uint16Array[][] = [];

  private constructor(private readonly opts: LowerMapsOptions) {
    this.mapShape = opts.forward.outputShape;
    this.mapSize = this.mapShape.reduce((a, b) => a * b, 1);
    this.kept = this.bytesNeeded() <= (opts.budgetBytes ?? LOWER_MAPS_BUDGET);
  }

  /** Bytes the kept maps take (float16). */
  bytesNeeded(): number {
    const { trainCount, views, pixels } = this.opts;
    return (trainCount * views + (pixels.length - trainCount)) * this.mapSize * 2;
  }

  /** Builds the store (computing every map when they are kept); null when stopped. */
  static async build(opts: LowerMapsOptions): Promise<LowerMaps | null> {
    const maps = new LowerMaps(opts);
    if (!maps.kept) return maps;
    const jobs: { photo: number; view: number }[] = [];
    for (let photo = 0; photo < opts.pixels.length; photo++) {
      const views = photo < opts.trainCount ? opts.views : 1;
      for (let view = 0; view < views; view++) jobs.push({ photo, view });
    }
    for (let start = 0; start < jobs.length; start += opts.batchSize) {
      if (opts.shouldStop?.()) return null;
      const batch = jobs.slice(start, start + opts.batchSize);
      const flat = await opts.forward.run(batch.map((j) => maps.image(j.photo, j.view)));
      batch.forEach((j, i) => {
        (maps.store[j.photo] ??= [])[j.view] = encodeHalf(flat.subarray(i * maps.mapSize, (i + 1) * maps.mapSize));
      });
      opts.onProgress?.(Math.min(start + batch.length, jobs.length), jobs.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return maps;
  }

  /** The image a (photo, view) pair stands for: validation photos plain, training views augmented. */
  private image(photo: number, view: number): Uint8Array {
    const src = this.opts.pixels[photo];
    if (photo >= this.opts.trainCount) return src;
    const size = this.opts.forward.spec.inputSize;
    return augmentPixels(src, size, augmentParams(viewSeed(this.opts.seed, photo, view)));
  }

  /** Maps of photos (by index into `pixels`) at a view, float32 [n, ...mapShape] flat. */
  async maps(photos: readonly number[], view: number): Promise<Float32Array> {
    const out = new Float32Array(photos.length * this.mapSize);
    const views = (p: number) => (p < this.opts.trainCount ? view % this.opts.views : 0);
    if (this.kept) {
      photos.forEach((p, i) => decodeHalfInto(this.store[p][views(p)], out, i * this.mapSize));
      return out;
    }
    for (let start = 0; start < photos.length; start += this.opts.batchSize) {
      const chunk = photos.slice(start, start + this.opts.batchSize);
      out.set(await this.opts.forward.run(chunk.map((p) => this.image(p, views(p)))), start * this.mapSize);
    }
    return out;
  }
}
