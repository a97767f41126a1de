/**
 * Filter images for the gallery ('explain:layers', 'explain:filters', 'explain:cancel'): which
 * backbone, its conv layers, and one filter job at a time in the training process whose images
 * go out as 'explain:filters' events (PNG data: URLs, small at 128 px) as each one is done.
 */
import { existsSync } from 'node:fs';
import type { Handlers, Request } from '../../shared/contract';
import type { ConvLayerDto, ExplainLayers } from '../../shared/explain-dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { activeRunId, getRun } from '../db/training-repository';
import type { SpawnStrategy } from '../worker/launcher';
import { runWorkerJob, WorkerJob, type ResultMessage } from '../worker/worker-job';
import type { EventBus } from './event-bus';
import { resolveBackbone, type ModelDirs } from './training-plan';
import { toRunDetail } from './training-views';

/** Side of the filter images, px (a custom TF.js model keeps its own input size). */
export const FILTER_IMAGE_SIZE = 128;

export interface ExplainContext {
  db(): Database;
  events: EventBus;
  modelDirs: ModelDirs;
  spawn?: SpawnStrategy;
  /** Folder of the filter-image disk cache (`<cache>/filters`, shared with the CLI). */
  filterCacheDir: string;
}

type BackboneRequest = { backboneId?: string; weightsPath?: string };
type ChosenBackbone = { backboneId: string; weightsPath: string; source: ExplainLayers['source'] };

/** The request's backbone, else the active run's (when its weights are still there), else the default one. */
export function chooseBackbone(db: Database, req: BackboneRequest, dirs: ModelDirs): ChosenBackbone {
  if (req.backboneId !== undefined || req.weightsPath !== undefined) {
    const b = resolveBackbone(req.backboneId, req.weightsPath, dirs, null);
    return { backboneId: b.id, weightsPath: b.weightsPath, source: 'request' };
  }
  const runId = activeRunId(db);
  const run = runId === null ? null : getRun(db, runId);
  if (run) {
    const { backboneId, weightsPath } = toRunDetail(run).config;
    if (existsSync(weightsPath)) return { backboneId, weightsPath, source: 'active-run' };
  }
  const b = resolveBackbone(undefined, undefined, dirs, null);
  return { backboneId: b.id, weightsPath: b.weightsPath, source: 'default' };
}

function resultOf<K extends ResultMessage['type']>(msg: ResultMessage, type: K): Extract<ResultMessage, { type: K }> {
  if (msg.type !== type) throw new Error(`the training process answered '${msg.type}' where '${type}' was due`);
  return msg as Extract<ResultMessage, { type: K }>;
}

export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

export function createFilterHandlers(ctx: ExplainContext): Pick<Handlers, 'explain:layers' | 'explain:filters' | 'explain:cancel'> {
  // Loading a backbone takes seconds: its layer list is kept for the app's life.
  const layerCache = new Map<string, Promise<{ imageSize: number; layers: ConvLayerDto[] }>>();
  let running: { jobId: number; job: WorkerJob<number> } | null = null;
  let nextJobId = 1;

  const layersOf = (b: ChosenBackbone) => {
    const key = `${b.backboneId}\n${b.weightsPath}`;
    let answer = layerCache.get(key);
    if (!answer) {
      answer = runWorkerJob({
        name: 'layer listing',
        retry: 'try again',
        request: { type: 'explain-layers', backboneId: b.backboneId, weightsPath: b.weightsPath, inputSize: FILTER_IMAGE_SIZE },
        spawn: ctx.spawn,
        failureCode: 'INTERNAL',
        onResult: (msg) => {
          const r = resultOf(msg, 'layers');
          return { imageSize: r.inputSize, layers: r.layers };
        }
      });
      layerCache.set(key, answer);
      answer.catch(() => layerCache.delete(key));
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
      return { ...b, ...(await layersOf(b)) };
    },
    'explain:filters': startFilters,
    'explain:cancel': (req) => ({ cancelled: running?.jobId === req.jobId ? running.job.cancel() : false })
  };
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
