/**
 * Turns the project's labels into a training job: which backbone and weights, which classes
 * (those with labeled photos, in panel order), which photos train and validate, which are only
 * predicted, and what the run will do about each choice (engine/choice-rules.ts). The one place
 * where a request's choices are resolved: 'training:plan' shows what 'training:start' would do,
 * including the choices the run makes itself by cross-validation. Pure reads; nothing is
 * written until the run starts.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Request } from '../../shared/contract';
import type { TrainingChoices, TrainingConfigDto, TrainingPlanPreview } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { listClassNames, listTrainingPhotos, type TrainingPhoto } from '../db/training-repository';
import { planChoices, type TrainFact } from '../engine/choice-rules';
import { findManifest, locateWeights, readManifests, type ModelManifest } from '../engine/manifests';
import type { LabeledItem, TrainingJobConfig, UnlabeledItem } from '../engine/trainer/job-types';
import { assignSplits, normalizeSplit } from '../engine/trainer/split';
import { folderWithoutModelJson } from '../engine/weights-identity';
import { weightsFit, type WeightsIdentity } from './weights-check';

export interface ModelDirs {
  modelsDir: string;
  userModelsDir: string;
}

export interface TrainingPlan {
  config: TrainingJobConfig;
  /** What the run record stores and the UI shows. */
  summary: TrainingConfigDto;
  classes: { id: number; name: string }[];
  items: LabeledItem[];
  unlabeled: UnlabeledItem[];
}

/** Stage-1 hyperparameters; fixed (not tuned on any validation set). */
const DEFAULTS = { epochs: 50, batchSize: 32, learningRate: 1e-3, patience: 5, fineTuneEpochs: 3, fineTuneLrDivisor: 30 };

/** A request to train (or to plan), defaults filled in by the contract's schema. */
export type TrainingRequest = Request<'training:start'>;

/**
 * What the weights the request names are for (see weights-check.ts): needed to tell which
 * backbone a file belongs to, and to refuse one for another network. Null when the request
 * names no weights file, or a custom backbone.
 */
export type KnownWeights = WeightsIdentity | null;

/** config.modelDir is left empty: it names the run, which does not exist yet. */
export function planTraining(db: Database, req: TrainingRequest, dirs: ModelDirs, weights: KnownWeights): TrainingPlan {
  const split = splitProject(db, req.seed);
  const tooFew = tooFewClasses(split.classes.length);
  if (tooFew) throw tooFew;
  const choices = resolveChoices(req, dirs, weights, trainFacts(split), split.classes.length);
  const { backboneName: _name, inputSizeReason, headReason: _head, fineTuneReason, ...summary } = choices;
  const config: TrainingJobConfig = {
    ...DEFAULTS,
    ...summary,
    inputSizes: { candidates: choices.inputSizeCandidates, reason: inputSizeReason, multiScale: choices.inputSizeMultiScale },
    fineTuneReason,
    classes: split.classes.map((c) => c.name),
    modelDir: '',
    backend: backendPreference()
  };
  return { config, summary: summary satisfies TrainingConfigDto, classes: split.classes, items: split.items, unlabeled: split.unlabeled };
}

interface ProjectSplit {
  /** Classes with labeled photos, in panel order: those a run learns. */
  classes: { id: number; name: string }[];
  items: LabeledItem[];
  unlabeled: UnlabeledItem[];
  photos: Map<number, TrainingPhoto>;
}

/** The labeled photos split into train and validation (seeded), and the unlabeled ones. */
function splitProject(db: Database, seed: number): ProjectSplit {
  const photos = listTrainingPhotos(db);
  const classes = labeledClasses(db, photos);
  const indexOf = new Map(classes.map((c, i) => [c.id, i] as const));
  const labeled = photos.filter((p) => p.classId !== null);
  const splits = assignSplits(
    labeled.map((p) => ({ split: p.split, classIndex: indexOf.get(p.classId as number) as number })),
    seed
  );
  const items: LabeledItem[] = [];
  labeled.forEach((p, i) => {
    const split = splits[i];
    if (split !== 'excluded')
      items.push({ photoId: p.photoId, path: p.path, hash: p.hash, classIndex: indexOf.get(p.classId as number) as number, split });
  });
  const unlabeled = photos.filter((p) => p.classId === null).map((p) => ({ photoId: p.photoId, path: p.path, hash: p.hash }));
  return { classes, items, unlabeled, photos: new Map(photos.map((p) => [p.photoId, p] as const)) };
}

/** What the choice rules need of each training photo: its class and size. */
function trainFacts(split: ProjectSplit): TrainFact[] {
  return split.items
    .filter((i) => i.split === 'train')
    .map((i) => {
      const photo = split.photos.get(i.photoId) as TrainingPhoto;
      return { classIndex: i.classIndex, width: photo.width, height: photo.height };
    });
}

/** The classes with labeled photos, in panel order: those a run learns. */
function labeledClasses(db: Database, photos: readonly TrainingPhoto[]): { id: number; name: string }[] {
  const labeledClassIds = new Set(photos.flatMap((p) => (p.classId === null ? [] : [p.classId])));
  return listClassNames(db).filter((c) => labeledClassIds.has(c.id));
}

function tooFewClasses(labeled: number): AppError | null {
  if (labeled >= 2) return null;
  return new AppError('INVALID_REQUEST', `Label photos in at least two classes before training (labeled classes: ${labeled}).`);
}

/**
 * What a run started with `req` would do: the backbone (and its weights), and for input size,
 * head and fine-tuning either the setting or how the run will decide it, with why.
 */
export function resolveChoices(
  req: TrainingRequest,
  dirs: ModelDirs,
  weights: KnownWeights,
  train: readonly TrainFact[],
  classes: number
): TrainingChoices {
  const backbone = resolveBackbone(req.backboneId, req.weightsPath, dirs, weights);
  const planned = planChoices({ ...req, backboneId: backbone.id }, train, classes);
  return {
    backboneId: backbone.id,
    backboneName: backbone.displayName,
    weightsPath: backbone.weightsPath,
    inputSize: planned.inputSize.candidates[0],
    inputSizeCandidates: planned.inputSize.candidates,
    inputSizeReason: planned.inputSize.reason,
    ...(planned.inputSize.multiScale ? { inputSizeMultiScale: true } : {}),
    head: req.head,
    headTraining: req.headTraining,
    headReason: planned.head.reason,
    epochs: req.epochs ?? DEFAULTS.epochs,
    fineTune: planned.fineTune.value,
    fineTuneReason: planned.fineTune.reason,
    timeBudgetSeconds: req.timeBudgetSeconds,
    seed: req.seed
  };
}

/** TS_TRAINING_BACKEND=wasm|cpu forces a backend (benchmarks, debugging); default auto. */
export function backendPreference(): 'auto' | 'wasm' | 'cpu' {
  const value = process.env.TS_TRAINING_BACKEND;
  return value === 'wasm' || value === 'cpu' ? value : 'auto';
}

/**
 * Strongest first: the backbone a run uses when none is named is the first of these whose
 * weights are present. VGG16/VGG19 lead (the recommended backbones); the bundled MobileNetV2 0.35
 * comes last, so a fresh install trains with it and any stronger weights added later win.
 */
const PREFERENCE = ['vgg16', 'vgg19', 'mobilenet_v2_100', 'mobilenet_v2_035'];

interface ResolvedBackbone {
  id: string;
  displayName: string;
  weightsPath: string;
}

/**
 * The chosen backbone, or the first in PREFERENCE order whose weights are present. A weights
 * path is taken for the network it holds (`weights`): without a backbone id that network is
 * used, with one that does not fit it the request is refused, naming the network it fits.
 */
export function resolveBackbone(
  id: string | undefined,
  weightsPath: string | undefined,
  dirs: ModelDirs,
  weights: KnownWeights
): ResolvedBackbone {
  if (weightsPath !== undefined) {
    const abs = path.resolve(weightsPath);
    if (!existsSync(abs)) throw new AppError('WEIGHTS_MISSING', `Weights not found: ${abs}`);
    if (statSync(abs).isDirectory() && !existsSync(path.join(abs, 'model.json'))) throw folderWithoutModelJson(abs);
    const backboneId = id ?? weights?.backboneId;
    if (backboneId === undefined)
      throw new AppError('INVALID_REQUEST', `Cannot tell which backbone the weights ${abs} belong to; pass the backbone id too.`);
    if (weights && id !== undefined) {
      const fit = weightsFit(weights, id, dirs.modelsDir);
      if (!fit.ok) throw new AppError('WEIGHTS_INVALID', fit.message);
    }
    return { id: backboneId, displayName: familyName(backboneId, weights, dirs), weightsPath: abs };
  }
  if (id !== undefined) {
    const manifest = findManifest(dirs.modelsDir, id);
    const located = locateWeights(manifest, dirs);
    if (!located)
      throw new AppError(
        'WEIGHTS_MISSING',
        `No weights for ${manifest.displayName}. Download them in Train › Advanced (or run "npm run models:fetch -- ${manifest.id}"), or choose ${manifest.file} there.`
      );
    return { id: manifest.backbone, displayName: manifest.displayName, weightsPath: located };
  }
  const rank = (m: ModelManifest) => (PREFERENCE.includes(m.id) ? PREFERENCE.indexOf(m.id) : PREFERENCE.length);
  for (const manifest of readManifests(dirs.modelsDir).sort((a, b) => rank(a) - rank(b))) {
    const located = locateWeights(manifest, dirs);
    if (located) return { id: manifest.backbone, displayName: manifest.displayName, weightsPath: located };
  }
  throw new AppError(
    'WEIGHTS_MISSING',
    'No pretrained network has weights: the MobileNetV2 that ships with the app (resources/models/mobilenet_v2_035) is missing from this installation. Reinstall, or give a weights file or folder (Train › Advanced in the app, --weights on the command line), or download VGG16 (Train › Advanced, or "npm run models:fetch -- vgg16").'
  );
}

/** The name people know a backbone by: its manifest's, else the network the weights hold, else the family's. */
function familyName(backboneId: string, weights: KnownWeights, dirs: ModelDirs): string {
  const manifest = readManifests(dirs.modelsDir).find((m) => m.id === backboneId || m.backbone === backboneId);
  if (manifest) return manifest.displayName;
  if (weights) return weights.network;
  if (backboneId.startsWith('vgg')) return backboneId.toUpperCase();
  return backboneId === 'custom' ? 'Custom TF.js model' : backboneId;
}

/**
 * What a run started now with `req` would do: per class, how many labeled photos it would train
 * and validate on (the same split rule and seed as {@link planTraining}), the choices it would
 * make, and why it could not start, if it could not. Needs no weights to count.
 */
export function previewTraining(
  db: Database,
  req: TrainingRequest,
  dirs: ModelDirs,
  weights: KnownWeights | AppError
): TrainingPlanPreview {
  const split = splitProject(db, req.seed);
  const all = listClassNames(db);
  const counts = all.map((c) => ({ id: c.id, name: c.name, train: 0, val: 0 }));
  const row = new Map(all.map((c, i) => [c.id, i] as const));
  for (const item of split.items) counts[row.get(split.classes[item.classIndex].id) as number][item.split]++;
  const named = [...split.photos.values()].filter((p) => p.classId !== null).map((p) => normalizeSplit(p.split));
  const { choices, problem } = choicesOrProblem(() => {
    if (weights instanceof AppError) throw weights;
    return resolveChoices(req, dirs, weights, trainFacts(split), split.classes.length);
  });
  const tooFew = tooFewClasses(split.classes.length) ?? problem;
  return {
    classes: counts,
    splitSource: named.includes('train') && named.includes('val') ? 'folders' : 'random',
    unlabeled: split.unlabeled.length,
    choices,
    blocked: tooFew ? { code: tooFew.code, message: tooFew.message } : null
  };
}

function choicesOrProblem(resolve: () => TrainingChoices): { choices: TrainingChoices | null; problem: AppError | null } {
  try {
    return { choices: resolve(), problem: null };
  } catch (err) {
    if (err instanceof AppError) return { choices: null, problem: err };
    throw err;
  }
}
