/**
 * Which input sides (px) a run may compute features at, and the default when it cannot compare.
 *
 * - VGG16/19: 224, the resolution the weights were trained at and the only one the VGG fc head
 *   (fc6 on a 7×7 map) accepts.
 * - MobileNetV2: 224, and 320 when the photos are large enough to fill it. ImageNet networks are
 *   trained on random-resized 224 crops, which show an object larger than a whole photo scaled
 *   down to 224 does, so whole photos can give better features at a higher resolution (the
 *   "FixRes" effect, Touvron et al., NeurIPS 2019) — but only if the photos have those pixels:
 *   upscaling a 128 px photo to 320 adds none. Which of the candidates wins is decided per
 *   project by cross-validation on its training photos (engine/trainer/choose-input-size.ts).
 * - Anything else (a custom TF.js model keeps its own input size): 224.
 */

/** Larger sizes MobileNetV2 may try beyond 224 (320 costs about twice the feature time of 224). */
const MOBILENET_LADDER = [224, 320];

/** A candidate is tried when the photos' median short side is at least this share of it ("about" that size). */
const FILL_RATIO = 0.9;

/** The size a run uses when nothing is compared (too few photos, no photo sizes known): any backbone's native 224. */
export const DEFAULT_INPUT_SIZE = 224;

export interface InputSizePlan {
  /** Ascending; one entry means there is nothing to choose. */
  candidates: number[];
  /** Why these (and, with one candidate, why that one). */
  reason: string;
  /** Also compare the smallest and largest candidates' features side by side (see trainer/multi-scale.ts). */
  multiScale?: boolean;
}

/** Candidate sizes for a backbone given the median short side (px) of the training photos. */
export function inputSizeCandidates(backboneId: string, medianShortSide: number | null): InputSizePlan {
  if (!backboneId.startsWith('mobilenet_v2')) {
    return { candidates: [224], reason: '224 px: the size these weights were trained at' };
  }
  if (medianShortSide === null) return { candidates: [224], reason: '224 px: the photos’ sizes are not known' };
  const fits = MOBILENET_LADDER.filter((s) => s === 224 || medianShortSide >= FILL_RATIO * s);
  if (fits.length === 1) {
    return {
      candidates: fits,
      reason: `224 px: the photos’ median short side is ${Math.round(medianShortSide)} px, so a larger input would only upscale them`
    };
  }
  return {
    candidates: fits,
    reason: `cross-validation among ${fits.join(', ')} px (photos’ median short side ${Math.round(medianShortSide)} px)`
  };
}

/** Median of the known short sides, px; null when none is known. */
export function medianShortSide(photos: readonly { width: number | null; height: number | null }[]): number | null {
  const sides = photos
    .filter((p) => p.width !== null && p.height !== null)
    .map((p) => Math.min(p.width as number, p.height as number))
    .sort((a, b) => a - b);
  if (sides.length === 0) return null;
  const mid = sides.length >> 1;
  return sides.length % 2 === 1 ? sides[mid] : (sides[mid - 1] + sides[mid]) / 2;
}
