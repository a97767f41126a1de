/**
 * Filter images for the gallery ('explain:layers', 'explain:filters', 'explain:cancel'): which
 * backbone, its conv layers, and one filter job at a time in the training process whose images
 * go out as 'explain:filters' events (PNG data: URLs, small at 128 px) as each one is done.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Handlers, Request } from '../../shared/contract';
import type { ConvLayerDto } from '../../shared/explain-dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import type { SpawnStrategy } from '../worker/launcher';
import { runWorkerJob, WorkerJob, type ResultMessage } from '../worker/worker-job';
import type { EventBus } from './event-bus';
import { chooseBackbone, describeWeights, runModelDirOf, type ChosenBackbone, type LoadedWeights } from './explain-filter-source';
import type { ModelDirs } from './training-plan';

/** Side of the filter images, px (a custom TF.js model keeps its own input size). */
export const FILTER_IMAGE_SIZE = 128;

interface LayerListing {
  imageSize: number;
  layers: ConvLayerDto[];
  loaded: LoadedWeights;
}

export interface ExplainContext {
  db(): Database;
  events: EventBus;
  modelDirs: ModelDirs;
  spawn?: SpawnStrategy;
  /** Folder of the filter-image disk cache (`<cache>/filters`, shared with the CLI). */
  filterCacheDir: string;
}

function resultOf<K extends ResultMessage['type']>(msg: ResultMessage, type: K): Extract<ResultMessage, { type: K }> {
  if (msg.type !== type) throw new Error(`the training process answered '${msg.type}' where '${type}' was due`);
  return msg as Extract<ResultMessage, { type: K }>;
}

export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

export function createFilterHandlers(ctx: ExplainContext): Pick<Handlers, 'explain:layers' | 'explain:filters' | 'explain:cancel'> {
  // Loading a backbone takes seconds: its layer list is kept for the app's life (a run's, while its model folder is unchanged).
  const layerCache = new Map<string, Promise<LayerListing>>();
  let running: { jobId: number; job: WorkerJob<number> } | null = null;
  let nextJobId = 1;

  const layersOf = (b: ChosenBackbone) => {
    const runModelDir = runModelDirOf(b);
    const key = JSON.stringify([b.backboneId, b.weightsPath, runModelDir ? [runModelDir, folderStamp(runModelDir)] : null]);
    let answer = layerCache.get(key);
    if (!answer) {
      answer = runWorkerJob({
        name: 'layer listing',
        retry: 'try again',
        request: {
          type: 'explain-layers',
          backboneId: b.backboneId,
          weightsPath: b.weightsPath,
          inputSize: FILTER_IMAGE_SIZE,
          runModelDir
        },
        spawn: ctx.spawn,
        failureCode: 'INTERNAL',
        onResult: (msg) => {
          const r = resultOf(msg, 'layers');
          return { imageSize: r.inputSize, layers: r.layers, loaded: { network: r.network, weights: r.weights } };
        }
      });
      layerCache.set(key, answer);
      // A run whose saved model could not be read is asked again next time (it may be back).
      answer.then((r) => r.loaded.weights.fallback !== null && layerCache.delete(key)).catch(() => layerCache.delete(key));
    }
    return answer;
  };

  const startFilters = async (req: Request<'explain:filters'>): Promise<{ jobId: number }> => {
    const b = chooseBackbone(ctx.db(), req, ctx.modelDirs);
    const filters = checkRange(req, (await layersOf(b)).layers);
    running?.job.cancel();
    const jobId = nextJobId++;
    const emit = ctx.events.emit.bind(ctx.events, 'explain:filters');
    const job = new WorkerJob<number>({
      name: 'filter image',
      retry: 'start again',
      request: {
        type: 'explain-filters',
        backboneId: b.backboneId,
        weightsPath: b.weightsPath,
        inputSize: FILTER_IMAGE_SIZE,
        runModelDir: runModelDirOf(b),
        layer: req.layer,
        filters,
        steps: req.steps,
        cacheDir: ctx.filterCacheDir
      },
      spawn: ctx.spawn,
      failureCode: 'INTERNAL',
      onSideMessage: (msg) => {
        if (msg.type === 'filter-progress') emit({ jobId, kind: 'progress', ...msg.progress });
        if (msg.type !== 'filter-image') return;
        const { png, ...image } = msg.image;
        emit({ jobId, kind: 'filter', filter: { ...image, image: pngDataUrl(png) } });
      },
      onResult: (msg) => resultOf(msg, 'filters-done').filters
    });
    running = { jobId, job };
    void job.done.then((outcome) => {
      if (running?.jobId === jobId) running = null;
      emit({ jobId, kind: 'finished', status: outcome.status, error: outcome.status === 'failed' ? outcome.message : null });
    });
    return { jobId };
  };

  return {
    'explain:layers': async (req) => {
      const b = chooseBackbone(ctx.db(), req, ctx.modelDirs);
      const { imageSize, layers, loaded } = await layersOf(b);
      // Worded per request: the same network may be another run's now.
      return {
        backboneId: b.backboneId,
        weightsPath: b.weightsPath,
        source: b.source,
        weights: describeWeights(b, loaded),
        imageSize,
        layers
      };
    },
    'explain:filters': startFilters,
    'explain:cancel': (req) => ({ cancelled: running?.jobId === req.jobId ? running.job.cancel() : false })
  };
}

/** Changes when a model folder is replaced, damaged or removed, so a listing of it is not taken for another's. */
function folderStamp(dir: string): string {
  try {
    const files = ['model.json', 'weights.bin'].map((f) => statSync(path.join(dir, f)));
    return files.map((f) => `${f.size}:${f.mtimeMs}`).join(',');
  } catch {
    return 'missing';
  }
}

/** Filter indices first … first + count − 1, cut at the layer's last filter; an unknown layer lists the layers. */
function checkRange(req: Request<'explain:filters'>, layers: ConvLayerDto[]): number[] {
  const layer = layers.find((l) => l.name === req.layer);
  if (!layer) {
    const names = layers.map((l) => l.name).join(', ');
    throw new AppError('INVALID_REQUEST', `The backbone has no conv layer "${req.layer}". Its conv layers: ${names}.`);
  }
  if (req.first >= layer.filters)
    throw new AppError(
      'INVALID_REQUEST',
      `Layer ${layer.name} has ${layer.filters} filters (0–${layer.filters - 1}); start below ${layer.filters}.`
    );
  const count = Math.min(req.count, layer.filters - req.first);
  return Array.from({ length: count }, (_, i) => req.first + i);
}
