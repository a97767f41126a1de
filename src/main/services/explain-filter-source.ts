/**
 * Which network the filter gallery shows, and how it says so. A run that fine-tuned its top block
 * changed that block's filters: its own network (the saved model) is shown then, not the
 * pretrained weights file, and the gallery names whose weights the images come from.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ExplainLayers, FilterWeightsDto } from '../../shared/explain-dto';
import type { Database } from '../db/database';
import { activeRunId, getRun } from '../db/training-repository';
import { resolveBackbone, type ModelDirs } from './training-plan';
import { toRunDetail } from './training-views';

export interface ChosenBackbone {
  backboneId: string;
  weightsPath: string;
  source: ExplainLayers['source'];
  /** The active run whose backbone this is; null for a requested or the default backbone. */
  run: { id: number; fineTuned: boolean; modelDir: string | null } | null;
}

type BackboneRequest = { backboneId?: string; weightsPath?: string };

/** The request's backbone, else the active run's (when its weights are still there), else the default one. */
export function chooseBackbone(db: Database, req: BackboneRequest, dirs: ModelDirs): ChosenBackbone {
  if (req.backboneId !== undefined || req.weightsPath !== undefined) {
    const b = resolveBackbone(req.backboneId, req.weightsPath, dirs, null);
    return { backboneId: b.id, weightsPath: b.weightsPath, source: 'request', run: null };
  }
  const runId = activeRunId(db);
  const record = runId === null ? null : getRun(db, runId);
  if (record) {
    const detail = toRunDetail(record);
    const { backboneId, weightsPath, fineTune } = detail.config;
    // Runs recorded before per-run choices only have what was asked for.
    const fineTuned = detail.choices?.fineTune.value ?? fineTune === true;
    const run = { id: record.id, fineTuned, modelDir: detail.modelPath };
    if (existsSync(weightsPath)) return { backboneId, weightsPath, source: 'active-run', run };
  }
  const b = resolveBackbone(undefined, undefined, dirs, null);
  return { backboneId: b.id, weightsPath: b.weightsPath, source: 'default', run: null };
}

/** The model folder whose weights the training process loads instead of the pretrained ones, if any. */
export function runModelDirOf(b: ChosenBackbone): string | undefined {
  return b.run?.fineTuned && b.run.modelDir !== null ? b.run.modelDir : undefined;
}

/** What the training process found: the network's name and whose weights it loaded (see FilterWeightsSource). */
export interface LoadedWeights {
  network: string;
  weights: { kind: 'run' | 'pretrained'; fallback: string | null; refinedLayers: string[] };
}

export function describeWeights(b: ChosenBackbone, loaded: LoadedWeights): FilterWeightsDto {
  const runId = b.run?.id ?? null;
  const { network, weights } = loaded;
  const pretrained = b.backboneId === 'custom' ? `Pretrained weights (${path.basename(b.weightsPath)})` : `ImageNet weights (${network})`;
  if (weights.kind === 'run') {
    const label =
      weights.refinedLayers.length > 0
        ? `Run ${runId}’s network (${network}), top block refined on your photos`
        : `Run ${runId}’s network (${network}), its weights unchanged from the pretrained ones`;
    return { kind: 'run', runId, label, fallback: null, refinedLayers: weights.refinedLayers };
  }
  const label = runId === null || b.run?.fineTuned ? pretrained : `${pretrained}, as run ${runId} uses them`;
  return { kind: 'pretrained', runId, label, fallback: fallbackText(b, weights.fallback), refinedLayers: [] };
}

/** Plain words for a fine-tuned run whose own weights could not be shown; null when none were due. */
function fallbackText(b: ChosenBackbone, reason: string | null): string | null {
  if (!b.run?.fineTuned) return null;
  const id = b.run.id;
  const why = b.run.modelDir === null ? `Run ${id} has no saved model. Train the model again to see its own filters.` : reason;
  return `Run ${id} refined its top block on your photos, but its saved model could not be read, so these are the pretrained weights: the top block’s filters shown are not the ones run ${id} uses. ${why ?? ''}`.trim();
}
