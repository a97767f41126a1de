/**
 * Which network a weights file or TF.js folder is for, asked of the training process (reading
 * an HDF5 file is engine work, never done on the main side), and whether that fits the backbone
 * asked for. Checked the moment a file is chosen ('models:check-weights') and again before a
 * run is recorded ('training:start'), and what 'training:plan' says about it; answers are kept
 * per file version, so the second and third ask costs nothing.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { WeightsCheck } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { WeightsIdentity } from '../engine/weights-identity';
import { readManifests } from '../engine/manifests';
import type { SpawnStrategy } from '../worker/launcher';
import { runWorkerJob } from '../worker/worker-job';

export type { WeightsIdentity };

/** A custom backbone is any TF.js layers model, cut at a layer the person names: nothing to recognise. */
const CUSTOM = 'custom';

export class WeightsChecker {
  private readonly known = new Map<string, { stamp: string; identity: Promise<WeightsIdentity> }>();

  constructor(private readonly spawn?: SpawnStrategy) {}

  /** What the weights at `weightsPath` are for; WEIGHTS_INVALID / NOT_FOUND when they cannot be told. */
  identify(weightsPath: string): Promise<WeightsIdentity> {
    const abs = path.resolve(weightsPath);
    const stamp = fileStamp(abs);
    const held = this.known.get(abs);
    if (held && held.stamp === stamp) return held.identity;
    const identity = runWorkerJob({
      name: 'weights check',
      retry: 'choose the weights again',
      request: { type: 'identify-weights', weightsPath: abs },
      spawn: this.spawn,
      failureCode: 'WEIGHTS_INVALID',
      onResult: (msg) => {
        if (msg.type !== 'identified') throw new Error(`the training process answered '${msg.type}' to a weights check`);
        return { backboneId: msg.backboneId, network: msg.network };
      }
    });
    this.known.set(abs, { stamp, identity });
    // Only a verdict on the file is kept; a process that could not answer is asked again next time.
    identity.catch((err: unknown) => {
      if (!(err instanceof AppError && (err.code === 'WEIGHTS_INVALID' || err.code === 'NOT_FOUND'))) this.known.delete(abs);
    });
    return identity;
  }

  /** The answer of 'models:check-weights'. */
  async check(weightsPath: string, backboneId: string | undefined, modelsDir: string): Promise<WeightsCheck> {
    if (backboneId === CUSTOM) return { ok: true, backboneId: CUSTOM, network: null, message: 'A custom TF.js layers model.' };
    try {
      return weightsFit(await this.identify(weightsPath), backboneId, modelsDir);
    } catch (err) {
      if (err instanceof AppError && (err.code === 'WEIGHTS_INVALID' || err.code === 'NOT_FOUND')) {
        return { ok: false, backboneId: null, network: null, message: err.message };
      }
      throw err;
    }
  }

  /** What a training request's weights file is for; null when it names none (or a custom backbone). */
  async forRequest(req: { weightsPath?: string; backboneId?: string }): Promise<WeightsIdentity | null> {
    // A path that is not there is said so by the plan (WEIGHTS_MISSING), without asking the training process.
    if (req.weightsPath === undefined || req.backboneId === CUSTOM || !existsSync(req.weightsPath)) return null;
    return this.identify(req.weightsPath);
  }
}

/** Whether weights identified as `identity` fit `backboneId` (any backbone when undefined), in words that name the network they fit. */
export function weightsFit(identity: WeightsIdentity, backboneId: string | undefined, modelsDir: string): WeightsCheck {
  const manifests = readManifests(modelsDir);
  const wanted = backboneId === undefined ? undefined : manifests.find((m) => m.id === backboneId || m.backbone === backboneId);
  const fits = backboneId === undefined || fitsBackbone(identity, wanted?.backbone ?? backboneId);
  const known = manifests.find((m) => m.backbone === identity.backboneId);
  const message = fits
    ? `${identity.network} weights${known?.bundled ? ', the same network as the one that ships with the app' : ''}.`
    : `These are ${identity.network} weights, not ${wanted?.displayName ?? backboneId}. Choose ${known?.displayName ?? identity.network} as the backbone (or Automatic), or pick ${wanted?.file ?? 'weights for that network'}.`;
  return { ok: fits, backboneId: identity.backboneId, network: identity.network, message };
}

/** True when weights identified as `identity` load as backbone `wanted` (mobilenet_v2 takes any width). */
function fitsBackbone(identity: WeightsIdentity, wanted: string): boolean {
  if (wanted === identity.backboneId) return true;
  return wanted === 'mobilenet_v2' && identity.backboneId.startsWith('mobilenet_v2');
}

/** Changes whenever the file (or the folder's listing) does; a missing path has its own stamp. */
function fileStamp(abs: string): string {
  try {
    const stat = statSync(abs);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
