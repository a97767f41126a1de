/**
 * Model handlers: which backend runs, which backbones have weights, downloading them, checking
 * a weights file, and importing one for machines that are never online. Whatever needs the
 * engine (the backend probe, reading or loading a weights file) runs as a job in the training
 * process; this side keeps only the answers. A download is network work, done here as a long
 * job: the invoke answers at once, events carry its progress and its end.
 */
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import type { BackboneStatus, BackendInfo } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { fetchWeights, partialDownloadBytes } from '../engine/fetch-weights';
import { DEFAULT_INPUT_SIZE } from '../engine/input-size';
import { findManifest, locateWeights, readManifests, weightsUrl, type ModelManifest } from '../engine/manifests';
import type { SpawnStrategy } from '../worker/launcher';
import { runWorkerJob, type ResultMessage } from '../worker/worker-job';
import type { EventBus } from './event-bus';
import { backendPreference } from './training-plan';
import { WeightsChecker } from './weights-check';

export interface ModelDirs {
  /** resources/models: shipped manifests, fetched weights beside them. */
  modelsDir: string;
  /** Per-user folder for imported weights (<userModelsDir>/<id>/<file>). */
  userModelsDir: string;
}

export interface ModelContext extends ModelDirs {
  /** How to start the training process (default: fork under tsx). */
  spawn?: SpawnStrategy;
  /** Where download progress and ends go (none: nobody listens). */
  events?: EventBus;
  /** Shared with the training handlers, so a file checked once is known to both. */
  weights?: WeightsChecker;
  /** Longest wait for data during a download, ms (tests shorten it). */
  downloadTimeoutMs?: number;
}

type ModelChannel = 'engine:status' | 'models:backbones' | 'models:import-weights' | 'models:check-weights' | 'models:download';

/** Input size used only to validate an imported file; small so the check is quick. */
const VALIDATION_SIZE = 64;

export function createModelHandlers(ctx: ModelContext): Pick<Handlers, ModelChannel> {
  const probe = createBackendProbe(ctx.spawn);
  const weights = ctx.weights ?? new WeightsChecker(ctx.spawn);
  const downloads = new Map<string, Promise<void>>();
  return {
    'engine:status': () => probe(),
    'models:backbones': () => readManifests(ctx.modelsDir).map((m) => backboneStatus(m, ctx)),
    'models:import-weights': (req) => importWeights(req.backboneId, req.path, ctx),
    'models:check-weights': (req) => weights.check(req.path, req.backboneId, ctx.modelsDir),
    // One download per backbone at a time: a second window asking joins the first.
    'models:download': (req) => {
      const manifest = findManifest(ctx.modelsDir, req.backboneId);
      if (manifest.bundled)
        throw new AppError('INVALID_REQUEST', `${manifest.displayName} ships with the app; there is nothing to download.`);
      if (!downloads.has(manifest.id)) {
        const running = downloadWeights(manifest, ctx).finally(() => downloads.delete(manifest.id));
        downloads.set(manifest.id, running);
      }
      return { backboneId: manifest.id };
    }
  };
}

/** Events at most this often while a download runs, ms. */
const PROGRESS_EVERY_MS = 200;

/**
 * Downloads into the user models folder (writable in an installed app, unlike resources/),
 * resuming a partial file and checking the MD5; progress and the end go out as events. Never
 * rejects: a failure is its 'models:download-finished' event.
 */
async function downloadWeights(manifest: ModelManifest, ctx: ModelContext): Promise<void> {
  let last = 0;
  const emitProgress = (received: number, total: number | null) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS && received !== total) return;
    last = now;
    ctx.events?.emit('models:download-progress', { backboneId: manifest.id, received, total });
  };
  try {
    emitProgress(0, manifest.sizeBytes);
    await fetchWeights(manifest, {
      targetDir: downloadDir(manifest, ctx),
      timeoutMs: ctx.downloadTimeoutMs,
      onProgress: ({ received, total }) => emitProgress(received, total)
    });
    const backbone = backboneStatus(manifest, ctx);
    ctx.events?.emit('models:download-finished', { backboneId: manifest.id, status: 'completed', backbone, error: null });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    ctx.events?.emit('models:download-finished', { backboneId: manifest.id, status: 'failed', backbone: null, error });
  }
}

/**
 * The backend probe, once per app session: the first request starts it in the training
 * process, and every request (also those made while it runs) gets that one answer. A failed
 * probe is not kept, so the next request tries again.
 */
export function createBackendProbe(spawn?: SpawnStrategy): () => Promise<BackendInfo> {
  let probing: Promise<BackendInfo> | null = null;
  return () => {
    probing ??= runWorkerJob({
      name: 'backend probe',
      retry: 'reload the window to try again',
      request: { type: 'probe', backend: backendPreference() },
      spawn,
      failureCode: 'BACKEND_UNAVAILABLE',
      onResult: (msg) => resultOf(msg, 'probed').info
    }).catch((err: unknown) => {
      probing = null;
      throw err;
    });
    return probing;
  };
}

/** The result message a job must end with; another one is a broken protocol. */
function resultOf<K extends ResultMessage['type']>(msg: ResultMessage, type: K): Extract<ResultMessage, { type: K }> {
  if (msg.type !== type) throw new Error(`the training process answered '${msg.type}' where '${type}' was due`);
  return msg as Extract<ResultMessage, { type: K }>;
}

export function backboneStatus(manifest: ModelManifest, dirs: ModelDirs): BackboneStatus {
  const weightsPath = locateWeights(manifest, dirs);
  return {
    id: manifest.id,
    displayName: manifest.displayName,
    ready: weightsPath !== null,
    weightsPath,
    sizeBytes: manifest.sizeBytes,
    preprocessing: manifest.preprocessing,
    featureDim: manifest.featureDim,
    defaultInputSize: DEFAULT_INPUT_SIZE,
    bundled: manifest.bundled,
    note: weightsPath ? null : missingNote(manifest),
    partialBytes: weightsPath ? null : partialDownloadBytes(manifest, downloadDir(manifest, dirs))
  };
}

/** Where 'models:download' puts a backbone's weights (and its unfinished part). */
function downloadDir(manifest: ModelManifest, dirs: ModelDirs): string {
  return path.join(dirs.userModelsDir, manifest.id);
}

function missingNote(manifest: ModelManifest): string {
  let from = manifest.url;
  try {
    from = weightsUrl(manifest);
  } catch {
    // A malformed TS_MODEL_MIRROR is reported when a download starts; the list still shows.
  }
  return `The weights file is ${manifest.file} (from ${from}). Without internet here: download it on another machine, then choose it as the weights file; or run "npm run models:fetch -- ${manifest.id}".`;
}

/**
 * Validates by really loading the file into the backbone (strict shape checks, in the training
 * process), then copies it into the user models folder. The copy goes through a temp name so a
 * crash never leaves a half-written file where the app would look for weights.
 */
export async function importWeights(backboneId: string, source: string, ctx: ModelContext): Promise<BackboneStatus> {
  const manifest = findManifest(ctx.modelsDir, backboneId);
  if (manifest.bundled) {
    throw new AppError('INVALID_REQUEST', `${manifest.displayName} ships with the app; there is nothing to import for it.`);
  }
  const abs = path.resolve(source);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new AppError('NOT_FOUND', `Weights file not found: ${abs}`);
  await runWorkerJob({
    name: 'weights check',
    retry: 'import the file again',
    request: { type: 'validate-weights', backboneId: manifest.backbone, weightsPath: abs, inputSize: VALIDATION_SIZE },
    spawn: ctx.spawn,
    failureCode: 'WEIGHTS_INVALID',
    onResult: (msg) => resultOf(msg, 'validated')
  });
  const targetDir = path.join(ctx.userModelsDir, manifest.id);
  const target = path.join(targetDir, manifest.file);
  const temp = `${target}.importing`;
  try {
    await mkdir(targetDir, { recursive: true });
    await copyFile(abs, temp);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw new AppError('IO_ERROR', `Could not copy weights into ${targetDir}: ${(err as Error).message}`);
  }
  return { ...backboneStatus(manifest, ctx), weightsPath: path.resolve(locateWeights(manifest, ctx) ?? target), ready: true };
}
