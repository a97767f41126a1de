/**
 * DTOs of "what the network sees" (issue 15: filter images, Grad-CAM) and Try a photo (issue 12).
 * Kept apart from dto.ts so the explain additions to the contract stay in one place.
 */

/** A conv layer whose filters the gallery can show. */
export interface ConvLayerDto {
  name: string;
  /** e.g. 'Conv2D', 'DepthwiseConv2D'. */
  className: string;
  /** Output channels: filters 0 … filters − 1. */
  filters: number;
  /** Feature-map height and width at the filter images' input size, cells; null when not static. */
  height: number | null;
  width: number | null;
}

/**
 * Whose weights the gallery's images come from. A run that fine-tuned its top block has its own
 * filters there (kept in its saved model), so the pretrained weights would show other ones.
 */
export interface FilterWeightsDto {
  /** 'run': the active run's own network, from its saved model; 'pretrained': the backbone's weights file. */
  kind: 'run' | 'pretrained';
  /** The active run (whether its own weights or the pretrained ones it uses unchanged are shown); null without one. */
  runId: number | null;
  /** What the gallery says, e.g. "Run 7's network (MobileNetV2 0.35), top block refined on your photos". */
  label: string;
  /** Why a fine-tuned run's own weights are not shown (its saved model is missing or damaged), in plain words; else null. */
  fallback: string | null;
  /** Conv layers whose images differ from the pretrained network's (the refined block and what follows it). */
  refinedLayers: string[];
}

/** Answer of 'explain:layers': the backbone whose filters the gallery shows, and its conv layers. */
export interface ExplainLayers {
  backboneId: string;
  weightsPath: string;
  /** Where the backbone choice came from. */
  source: 'request' | 'active-run' | 'default';
  weights: FilterWeightsDto;
  /** Side of the filter images, px. */
  imageSize: number;
  layers: ConvLayerDto[];
}

/** One finished filter image. */
export interface FilterImageDto {
  layer: string;
  index: number;
  /** The filter's mean activation on the grey start image and on the final image. */
  activationStart: number;
  activationEnd: number;
  /** PNG as a data: URL, size × size px. */
  image: string;
  size: number;
  /** True when it came from the disk cache. */
  cached: boolean;
}

/** Payload of the 'explain:filters' event: a filter job moved on, produced an image, or ended. */
export type FilterJobEvent =
  | { jobId: number; kind: 'filter'; filter: FilterImageDto }
  | { jobId: number; kind: 'progress'; done: number; total: number; filtersDone: number; filtersTotal: number }
  | { jobId: number; kind: 'finished'; status: 'completed' | 'cancelled' | 'failed'; error: string | null };

/** A class with the model's probability for it, 0–1. */
export interface ClassScore {
  className: string;
  confidence: number;
}

/** Answer of 'explain:photo': the model's top classes and where in the photo it found the explained class. */
export interface PhotoExplanationDto {
  runId: number;
  /** All classes, most likely first. */
  top: ClassScore[];
  /** The class the heatmap explains (the predicted one unless asked otherwise). */
  className: string;
  /** Raw Grad-CAM grid at the conv map's resolution, rows top to bottom, values ≥ 0. */
  cam: number[][];
  camLayer: string;
  /** The centre crop the model sees with the heat blended in, PNG data: URL, renderSize² px. */
  overlay: string;
  renderSize: number;
}
