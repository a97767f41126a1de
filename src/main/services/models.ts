/**
 * Model handlers: which backend runs, which backbones have weights, and importing a weights
 * file for machines that are never online. Backed by the real engine.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import type { BackboneStatus } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { initBackend, loadBackbone } from '../engine/index';
import { DEFAULT_INPUT_SIZE } from '../engine/input-size';
import { fetchWeights } from '../engine/fetch-weights';
import { findManifest, locateWeights, readManifests, type ModelManifest } from '../engine/manifests';
import type { EventBus } from './event-bus';
import { checkWeights } from './weights-check';

export interface ModelDirs {
  /** resources/models: shipped manifests, fetched weights beside them. */
  modelsDir: string;
  /** Per-user folder for imported weights (<userModelsDir>/<id>/<file>). */
  userModelsDir: string;
}

/** Input size used only to validate an imported file; small so the check is quick. */
const VALIDATION_SIZE = 64;

type ModelChannel = 'engine:status' | 'models:backbones' | 'models:import-weights' | 'models:check-weights' | 'models:download';

export function createModelHandlers(opts: ModelDirs, events?: EventBus): Pick<Handlers, ModelChannel> {
  const downloads = new Map<string, Promise<BackboneStatus>>();
  return {
    'engine:status': () => initBackend(),
    'models:backbones': () => readManifests(opts.modelsDir).map((m) => backboneStatus(m, opts)),
    'models:import-weights': (req) => importWeights(req.backboneId, req.path, opts),
    'models:check-weights': (req) => checkWeights(req.path, req.backboneId, opts),
    // One download per backbone at a time: a second window asking joins the first.
    'models:download': (req) => {
      const manifest = findManifest(opts.modelsDir, req.backboneId);
      const running = downloads.get(manifest.id) ?? downloadWeights(manifest, opts, events);
      downloads.set(manifest.id, running);
      return running.finally(() => downloads.delete(manifest.id));
    }
  };
}

/**
 * Downloads into the user models folder (writable in an installed app, unlike resources/),
 * resuming a partial file and checking the MD5; progress goes out as events, at most 5 a second.
 */
async function downloadWeights(manifest: ModelManifest, dirs: ModelDirs, events?: EventBus): Promise<BackboneStatus> {
  if (manifest.bundled) throw new AppError('INVALID_REQUEST', `${manifest.displayName} ships with the app; there is nothing to download.`);
  let last = 0;
  await fetchWeights(manifest, {
    targetDir: path.join(dirs.userModelsDir, manifest.id),
    onProgress: ({ received, total }) => {
      const now = Date.now();
      if (now - last < 200 && received !== total) return;
      last = now;
      events?.emit('models:download-progress', { backboneId: manifest.id, received, total });
    }
  });
  return backboneStatus(manifest, dirs);
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
    note: weightsPath ? null : missingNote(manifest)
  };
}

function missingNote(manifest: ModelManifest): string {
  return `The weights file is ${manifest.file} (from ${manifest.url}). Without internet here: download it on another machine, then choose it as the weights file; or run "npm run models:fetch -- ${manifest.id}".`;
}

/**
 * Validates by really loading the file into the backbone (strict shape checks), then copies it
 * into the user models folder. The copy goes through a temp name so a crash never leaves a
 * half-written file where the app would look for weights.
 */
export async function importWeights(backboneId: string, source: string, dirs: ModelDirs): Promise<BackboneStatus> {
  const manifest = findManifest(dirs.modelsDir, backboneId);
  if (manifest.bundled) {
    throw new AppError('INVALID_REQUEST', `${manifest.displayName} ships with the app; there is nothing to import for it.`);
  }
  const abs = path.resolve(source);
  if (!existsSync(abs) || !statSync(abs).isFile()) throw new AppError('NOT_FOUND', `Weights file not found: ${abs}`);
  await initBackend();
  const backbone = await loadBackbone({ id: manifest.backbone, weightsPath: abs, inputSize: VALIDATION_SIZE });
  backbone.dispose();
  const targetDir = path.join(dirs.userModelsDir, manifest.id);
  const target = path.join(targetDir, manifest.file);
  const temp = `${target}.importing`;
  try {
    mkdirSync(targetDir, { recursive: true });
    copyFileSync(abs, temp);
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw new AppError('IO_ERROR', `Could not copy weights into ${targetDir}: ${(err as Error).message}`);
  }
  return { ...backboneStatus(manifest, dirs), weightsPath: path.resolve(locateWeights(manifest, dirs) ?? target), ready: true };
}
