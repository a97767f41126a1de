/**
 * Model handlers: which backend runs, which backbones have weights, and importing a weights
 * file for machines that are never online. Backed by the real engine.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import type { BackboneStatus } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { engineStatus, initBackend, loadBackbone } from '../engine/index';
import { defaultInputSize } from '../engine/input-size';
import { findManifest, locateWeights, readManifests, type ModelManifest } from '../engine/manifests';

export interface ModelDirs {
  /** resources/models: shipped manifests, fetched weights beside them. */
  modelsDir: string;
  /** Per-user folder for imported weights (<userModelsDir>/<id>/<file>). */
  userModelsDir: string;
}

/** Input size used only to validate an imported file; small so the check is quick. */
const VALIDATION_SIZE = 64;

export function createModelHandlers(opts: ModelDirs): Pick<Handlers, 'engine:status' | 'models:backbones' | 'models:import-weights'> {
  return {
    'engine:status': () => engineStatus(),
    'models:backbones': () => readManifests(opts.modelsDir).map((m) => backboneStatus(m, opts)),
    'models:import-weights': (req) => importWeights(req.backboneId, req.path, opts)
  };
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
 * Validates by really loading the file into the backbone (strict shape checks), then copies it
 * into the user models folder. The copy goes through a temp name so a crash never leaves a
 * half-written file where the app would look for weights.
 */
export async function importWeights(backboneId: string, source: string, dirs: ModelDirs): Promise<BackboneStatus> {
  const manifest = findManifest(dirs.modelsDir, backboneId);
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
