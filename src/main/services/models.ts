/**
 * Model handlers: which backend runs, which backbones have weights, and importing a weights
 * file for machines that are never online. Whatever needs the engine (the backend probe,
 * loading a weights file to check it) runs as a job in the training process; this side keeps
 * only the answers.
 */
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import type { BackboneStatus, BackendInfo } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { defaultInputSize } from '../engine/input-size';
import { findManifest, locateWeights, readManifests, type ModelManifest } from '../engine/manifests';
import type { SpawnStrategy } from '../worker/launcher';
import { runWorkerJob, type ResultMessage } from '../worker/worker-job';
import { backendPreference } from './training-plan';

export interface ModelDirs {
  /** resources/models: shipped manifests, fetched weights beside them. */
  modelsDir: string;
  /** Per-user folder for imported weights (<userModelsDir>/<id>/<file>). */
  userModelsDir: string;
}

export interface ModelContext extends ModelDirs {
  /** How to start the training process (default: fork under tsx). */
  spawn?: SpawnStrategy;
}

/** Input size used only to validate an imported file; small so the check is quick. */
const VALIDATION_SIZE = 64;

export function createModelHandlers(ctx: ModelContext): Pick<Handlers, 'engine:status' | 'models:backbones' | 'models:import-weights'> {
  const probe = createBackendProbe(ctx.spawn);
  return {
    'engine:status': () => probe(),
    'models:backbones': () => readManifests(ctx.modelsDir).map((m) => backboneStatus(m, ctx)),
    'models:import-weights': (req) => importWeights(req.backboneId, req.path, ctx)
  };
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
    defaultInputSize: defaultInputSize(manifest.backbone),
    note: weightsPath ? null : missingNote(manifest)
  };
}

function missingNote(manifest: ModelManifest): string {
  return `Weights not found. Run "npm run models:fetch -- ${manifest.id}" or import ${manifest.file}.`;
}

/**
 * Validates by really loading the file into the backbone (strict shape checks, in the training
 * process), then copies it into the user models folder. The copy goes through a temp name so a
 * crash never leaves a half-written file where the app would look for weights.
 */
export async function importWeights(backboneId: string, source: string, ctx: ModelContext): Promise<BackboneStatus> {
  const manifest = findManifest(ctx.modelsDir, backboneId);
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
