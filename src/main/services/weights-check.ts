/**
 * Checking a weights file the moment it is chosen, and again before a run is recorded: which
 * network it is for, and whether that is the backbone asked for. Layer names and shapes only;
 * the full strict load happens in the training process.
 */
import type { WeightsCheck } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { fitsBackbone, identifyWeights } from '../engine/identify-weights';
import { readManifests } from '../engine/manifests';
import type { ModelDirs } from './training-plan';

export async function checkWeights(weightsPath: string, backboneId: string | undefined, dirs: ModelDirs): Promise<WeightsCheck> {
  // A custom backbone is any TF.js layers model, cut at a layer the person names: nothing to recognise.
  if (backboneId === 'custom') return { ok: true, backboneId: 'custom', network: null, message: 'A custom TF.js layers model.' };
  let identity;
  try {
    identity = await identifyWeights(weightsPath);
  } catch (err) {
    if (err instanceof AppError && (err.code === 'WEIGHTS_INVALID' || err.code === 'NOT_FOUND')) {
      return { ok: false, backboneId: null, network: null, message: err.message };
    }
    throw err;
  }
  const manifests = readManifests(dirs.modelsDir);
  const wanted = backboneId === undefined ? undefined : manifests.find((m) => m.id === backboneId || m.backbone === backboneId);
  const fits = backboneId === undefined || fitsBackbone(identity, wanted?.backbone ?? backboneId);
  const known = manifests.find((m) => m.backbone === identity.backboneId);
  const message = fits
    ? `${identity.network} weights${known?.bundled ? ', the same network as the one that ships with the app' : ''}.`
    : `These are ${identity.network} weights, not ${wanted?.displayName ?? backboneId}. Choose ${known?.displayName ?? identity.network} as the backbone (or Automatic), or pick ${wanted?.file ?? 'weights for that network'}.`;
  return { ok: fits, backboneId: identity.backboneId, network: identity.network, message };
}

/** Throws WEIGHTS_INVALID (with the check's message) unless the weights fit; returns the backbone they fit. */
export async function requireFittingWeights(weightsPath: string, backboneId: string | undefined, dirs: ModelDirs): Promise<string> {
  const check = await checkWeights(weightsPath, backboneId, dirs);
  if (!check.ok || check.backboneId === null) throw new AppError('WEIGHTS_INVALID', check.message);
  return backboneId ?? check.backboneId;
}
