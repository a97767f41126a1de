/**
 * The run's time budget for optional work (a larger input size, fine-tuning) and the rates its
 * estimates come from. Rates are measured in the run itself: feature time per photo, scaled by
 * the pixel count for other sizes. Until a rate is measured (everything came from the cache)
 * the estimate assumes a slow machine, so optional work is never started on a guess that is
 * too rosy.
 */
import type { Backbone } from '../backbone';

/** Seconds per photo (with its mirror image) at 224 px when nothing was measured: WebAssembly MobileNetV2 on a busy laptop. */
const ASSUMED_SECONDS_PER_PHOTO_224 = 0.1;

export class TimeBudget {
  private readonly start = performance.now();
  private secondsPerPhoto224: number | null = null;
  private keyParts: Pick<Backbone, 'id' | 'weightsKey' | 'preprocessing'> | null = null;

  constructor(readonly seconds: number) {}

  elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** True when work estimated at `extraSeconds` still ends inside the budget. */
  fits(extraSeconds: number): boolean {
    return this.elapsed() + extraSeconds <= this.seconds;
  }

  /** A feature pass computed `photos` photos at `size` px in `seconds`. */
  recordFeatures(size: number, photos: number, seconds: number): void {
    if (photos < 8) return; // too few to time (kernel warm-up dominates)
    this.secondsPerPhoto224 = (seconds / photos) * (224 / size) ** 2;
  }

  /** Estimated seconds to compute features for `photos` photos at `size` px. */
  featureSeconds(size: number, photos: number): number {
    return Math.max(0, photos) * (this.secondsPerPhoto224 ?? ASSUMED_SECONDS_PER_PHOTO_224) * (size / 224) ** 2;
  }

  /** Seconds per photo at `size` for one forward pass (features are two: photo and mirror). */
  forwardSeconds(size: number): number {
    return this.featureSeconds(size, 1) / 2;
  }

  rememberKey(backbone: Pick<Backbone, 'id' | 'weightsKey' | 'preprocessing'>): void {
    this.keyParts = { id: backbone.id, weightsKey: backbone.weightsKey, preprocessing: backbone.preprocessing };
  }

  /** The feature-cache key at another size, once a backbone of these weights was loaded. */
  extractorAt(size: number, key: (parts: Pick<Backbone, 'id' | 'weightsKey' | 'preprocessing' | 'inputSize'>) => string): string | null {
    return this.keyParts ? key({ ...this.keyParts, inputSize: size }) : null;
  }
}
