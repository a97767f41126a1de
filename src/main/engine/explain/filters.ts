/**
 * Filter visualisation end to end for one layer: validate the request, take what the disk cache
 * has, climb the rest in batches, encode each image as PNG, and report as each filter is done.
 * A pure function of a loaded model: the CLI calls it directly, the training process will wrap it.
 */
import sharp from 'sharp';
import { AppError } from '../../../shared/errors';
import { ascend, DEFAULT_FILTER_SETTINGS, type FilterSettings } from './ascent';
import { deprocess } from './image-ops';
import { FilterCache } from './filter-cache';
import type { FilterModel } from './filter-model';
import { findFeatureLayer, listConvLayers, type ConvLayerInfo, type FoundLayer } from './layers';

export interface FilterRequest {
  /** Conv layer (or any layer with a feature-map output) of the model. */
  layer: string;
  /** Filter indices; default the first 16 (fewer when the layer has fewer). */
  filters?: number[];
  settings?: Partial<FilterSettings>;
  /** Filters climbed together, one image each (default 4). */
  batchSize?: number;
  /** Folder of the disk cache; none when absent. */
  cacheDir?: string;
}

export interface FilterImage {
  layer: string;
  index: number;
  /** The filter's mean activation (feature-map interior, see borderCells) on the grey start image. */
  activationStart: number;
  /** The same on the final image. */
  activationEnd: number;
  /** 8-bit RGB PNG, size × size px. */
  png: Uint8Array;
  size: number;
  /** True when it came from the disk cache. */
  cached: boolean;
}

export interface FilterProgress {
  /** Ascent steps done over the whole request (a cached filter counts as all its steps). */
  done: number;
  total: number;
  filtersDone: number;
  filtersTotal: number;
}

export interface FilterIO {
  /** Each filter as soon as it is ready, cached ones first; awaited, so a caller writing files keeps pace. */
  onFilter?(image: FilterImage): void | Promise<void>;
  onProgress?(progress: FilterProgress): void;
  /** Polled between ascent steps; true stops the run (what is done is kept and returned). */
  shouldStop?(): boolean;
}

export interface FilterRun {
  layer: ConvLayerInfo;
  settings: FilterSettings;
  /** In request order; fewer than requested when cancelled. */
  filters: FilterImage[];
  cancelled: boolean;
}

export async function visualizeFilters(model: FilterModel, req: FilterRequest, io: FilterIO = {}): Promise<FilterRun> {
  const target = findFeatureLayer(model.model, req.layer, model.id);
  const info = layerInfo(target);
  const settings = checkSettings({ ...DEFAULT_FILTER_SETTINGS, ...req.settings });
  const indices = checkFilters(req.filters ?? defaultFilters(info.filters), info);
  const batchSize = Math.max(1, Math.floor(req.batchSize ?? 4));
  // A fine-tuned run shares the pretrained network's images below the layers it changed.
  const weightsKey = model.layerWeightsKey?.(target) ?? model.weightsKey;
  const cache = req.cacheDir ? new FilterCache(req.cacheDir, { ...model, weightsKey }, req.layer, settings) : null;
  const byIndex = new Map<number, FilterImage>();
  const progress: FilterProgress = { done: 0, total: indices.length * settings.steps, filtersDone: 0, filtersTotal: indices.length };
  const finish = async (image: FilterImage) => {
    byIndex.set(image.index, image);
    progress.filtersDone++;
    await io.onFilter?.(image);
  };
  const todo: number[] = [];
  for (const index of indices) {
    const hit = cache ? await cache.get(index) : null;
    if (!hit) todo.push(index);
    else {
      progress.done += settings.steps;
      await finish({ layer: req.layer, index, ...hit, size: model.inputSize, cached: true });
    }
  }
  io.onProgress?.({ ...progress });
  let cancelled = false;
  for (let start = 0; start < todo.length && !cancelled; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    const made = await climbBatch(model, target, batch, settings, io, progress);
    if (made === null) cancelled = true;
    else {
      for (const image of made) {
        await cache?.put(image.index, image);
        await finish(image);
      }
      io.onProgress?.({ ...progress });
    }
  }
  const filters = indices.flatMap((i) => byIndex.get(i) ?? []);
  return { layer: info, settings, filters, cancelled };
}

async function climbBatch(
  model: FilterModel,
  target: FoundLayer,
  batch: number[],
  settings: FilterSettings,
  io: FilterIO,
  progress: FilterProgress
): Promise<FilterImage[] | null> {
  const before = progress.done;
  const result = await ascend(model, target, batch, settings, {
    shouldStop: io.shouldStop,
    onStep: (step) => {
      progress.done = before + step * batch.length;
      io.onProgress?.({ ...progress });
    }
  });
  if (!result) return null;
  const pixels = await deprocess(result.images);
  result.images.dispose();
  const size = model.inputSize;
  return Promise.all(
    batch.map(async (index, i) => ({
      layer: target.layer.name,
      index,
      activationStart: result.activationStart[i],
      activationEnd: result.activationEnd[i],
      png: new Uint8Array(
        await sharp(pixels[i], { raw: { width: size, height: size, channels: 3 } })
          .png()
          .toBuffer()
      ),
      size,
      cached: false
    }))
  );
}

function layerInfo(target: FoundLayer): ConvLayerInfo {
  const [height, width, filters] = target.shape;
  return { name: target.layer.name, className: target.layer.getClassName(), filters, height, width };
}

function defaultFilters(count: number): number[] {
  return Array.from({ length: Math.min(16, count) }, (_, i) => i);
}

function checkFilters(filters: number[], info: ConvLayerInfo): number[] {
  if (filters.length === 0) throw new AppError('INVALID_REQUEST', 'Choose at least one filter.');
  const bad = filters.find((f) => !Number.isInteger(f) || f < 0 || f >= info.filters);
  if (bad !== undefined)
    throw new AppError(
      'INVALID_REQUEST',
      `Layer ${info.name} has ${info.filters} filters (0–${info.filters - 1}); there is no filter ${bad}.`
    );
  return [...new Set(filters)];
}

function checkSettings(s: FilterSettings): FilterSettings {
  const fail = (what: string) => {
    throw new AppError('INVALID_REQUEST', `Filter settings: ${what}.`);
  };
  if (!Number.isInteger(s.steps) || s.steps < 0 || s.steps > 10_000) fail(`steps must be an integer from 0 to 10000, got ${s.steps}`);
  if (!(s.stepSize > 0) || s.stepSize > 255) fail(`step size must be above 0 and at most 255, got ${s.stepSize}`);
  if (!Number.isInteger(s.jitter) || s.jitter < 0) fail(`jitter must be a whole number of pixels ≥ 0, got ${s.jitter}`);
  if (!(s.blurSigma >= 0) || s.blurSigma > 16) fail(`blur must be from 0 to 16 px, got ${s.blurSigma}`);
  if (!Number.isInteger(s.seed)) fail(`seed must be an integer, got ${s.seed}`);
  return s;
}

/** The conv layers a user can pick, for the gallery's layer picker. */
export function filterLayers(model: FilterModel): ConvLayerInfo[] {
  return listConvLayers(model.model);
}
