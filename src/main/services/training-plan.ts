/**
 * Turns the project's labels into a training job: which backbone and weights, which classes
 * (those with labeled photos, in panel order), which photos train and validate, which are only
 * predicted. The one place where a request's choices are resolved: 'training:plan' shows what
 * 'training:start' would use. Pure reads; nothing is written until the run starts.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Request } from '../../shared/contract';
import type { TrainingChoices, TrainingConfigDto, TrainingPlanPreview } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { listClassNames, listTrainingPhotos, type TrainingPhoto } from '../db/training-repository';
import { defaultInputSize, defaultInputSizeReason } from '../engine/input-size';
import { findManifest, locateWeights, readManifests } from '../engine/manifests';
import type { LabeledItem, TrainingJobConfig, UnlabeledItem } from '../engine/trainer/job-types';
import { assignSplits, normalizeSplit } from '../engine/trainer/split';

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

/** config.modelDir is left empty: it names the run, which does not exist yet. */
export function planTraining(db: Database, req: TrainingRequest, dirs: ModelDirs): TrainingPlan {
  const choices = resolveChoices(req, dirs);
  const photos = listTrainingPhotos(db);
  const classes = labeledClasses(db, photos);
  const tooFew = tooFewClasses(classes.length);
  if (tooFew) throw tooFew;
  const indexOf = new Map(classes.map((c, i) => [c.id, i] as const));
  const labeled = photos.filter((p) => p.classId !== null);
  const splits = assignSplits(
    labeled.map((p) => ({ split: p.split, classIndex: indexOf.get(p.classId as number) as number })),
    req.seed
  );
  const items: LabeledItem[] = [];
  labeled.forEach((p, i) => {
    const split = splits[i];
    if (split !== 'excluded')
      items.push({ photoId: p.photoId, path: p.path, hash: p.hash, classIndex: indexOf.get(p.classId as number) as number, split });
  });
  const unlabeled = photos.filter((p) => p.classId === null).map((p) => ({ photoId: p.photoId, path: p.path, hash: p.hash }));
  const { backboneName: _name, inputSizeReason: _why, ...summary } = choices;
  const config: TrainingJobConfig = {
    ...DEFAULTS,
    ...(summary satisfies TrainingConfigDto),
    classes: classes.map((c) => c.name),
    modelDir: '',
    backend: backendPreference()
  };
  return { config, summary, classes, items, unlabeled };
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

/** What a run started with `req` would use: the backbone (and its weights), the input size and why, and the rest with defaults filled in. */
export function resolveChoices(req: TrainingRequest, dirs: ModelDirs): TrainingChoices {
  const backbone = resolveBackbone(req.backboneId, req.weightsPath, dirs);
  const [inputSize, inputSizeReason] =
    req.head === 'vgg-fc'
      ? [224, 'the VGG fully connected head works only at 224 px']
      : req.inputSize !== undefined
        ? [req.inputSize, 'chosen in the settings']
        : [backbone.inputSize, defaultInputSizeReason(backbone.id)];
  return {
    backboneId: backbone.id,
    backboneName: backbone.displayName,
    weightsPath: backbone.weightsPath,
    inputSize,
    inputSizeReason,
    head: req.head,
    epochs: req.epochs ?? DEFAULTS.epochs,
    fineTune: req.fineTune,
    seed: req.seed
  };
}

/** TS_TRAINING_BACKEND=wasm|cpu forces a backend (benchmarks, debugging); default auto. */
export function backendPreference(): 'auto' | 'wasm' | 'cpu' {
  const value = process.env.TS_TRAINING_BACKEND;
  return value === 'wasm' || value === 'cpu' ? value : 'auto';
}

/**
 * The chosen backbone, or VGG16 when its weights are present, else the first backbone whose
 * weights are. An explicit weights path without a backbone id is recognised by its name.
 * `inputSize` is the default for the family (see defaultInputSize), not the weights' own 224.
 */
export function resolveBackbone(
  id: string | undefined,
  weightsPath: string | undefined,
  dirs: ModelDirs
): { id: string; displayName: string; weightsPath: string; inputSize: number } {
  const resolved = (backboneId: string, located: string, displayName?: string) => ({
    id: backboneId,
    displayName: displayName ?? familyName(backboneId, dirs),
    weightsPath: located,
    inputSize: defaultInputSize(backboneId)
  });
  if (weightsPath !== undefined) {
    const abs = path.resolve(weightsPath);
    if (!existsSync(abs)) throw new AppError('WEIGHTS_MISSING', `Weights not found: ${abs}`);
    if (statSync(abs).isDirectory() && !existsSync(path.join(abs, 'model.json'))) throw folderWithoutModelJson(abs);
    return resolved(id ?? inferBackboneId(abs), abs);
  }
  if (id !== undefined) {
    const manifest = findManifest(dirs.modelsDir, id);
    const located = locateWeights(manifest, dirs);
    if (!located)
      throw new AppError(
        'WEIGHTS_MISSING',
        `No weights for ${id}. Run "npm run models:fetch -- ${manifest.id}" or import the weights file.`
      );
    return resolved(manifest.backbone, located, manifest.displayName);
  }
  const manifests = readManifests(dirs.modelsDir);
  const ordered = [...manifests.filter((m) => m.id === 'vgg16'), ...manifests.filter((m) => m.id !== 'vgg16')];
  for (const manifest of ordered) {
    const located = locateWeights(manifest, dirs);
    if (located) return resolved(manifest.backbone, located, manifest.displayName);
  }
  throw new AppError(
    'WEIGHTS_MISSING',
    'No pretrained network has weights yet: give a weights file or folder (Train › Advanced in the app, --weights on the command line), or fetch them with "npm run models:fetch -- vgg16".'
  );
}

/** The name people know a backbone by: its manifest's, else the family's. */
function familyName(backboneId: string, dirs: ModelDirs): string {
  const manifest = readManifests(dirs.modelsDir).find((m) => m.id === backboneId || m.backbone === backboneId);
  if (manifest) return manifest.displayName;
  if (backboneId.startsWith('mobilenet_v2')) return 'MobileNetV2';
  if (backboneId.startsWith('vgg')) return backboneId.toUpperCase();
  return backboneId;
}

/** Shared wording with the engine's check (load-backbone.ts), for a folder that holds no model. */
export function folderWithoutModelJson(abs: string): AppError {
  return new AppError(
    'WEIGHTS_INVALID',
    `The weights folder ${abs} has no model.json. Choose a TF.js layers-model folder (model.json with its weight files) or a Keras .h5 weights file.`
  );
}

function inferBackboneId(abs: string): string {
  const name = abs.toLowerCase();
  if (name.includes('vgg19')) return 'vgg19';
  if (name.includes('vgg16')) return 'vgg16';
  if (name.includes('mobilenet')) return 'mobilenet_v2';
  const kind = statSync(abs).isDirectory() ? 'folder' : 'file';
  throw new AppError('INVALID_REQUEST', `Cannot tell which backbone the weights ${kind} ${abs} belongs to; pass the backbone id too.`);
}

/**
 * What a run started now with `req` would do: per class, how many labeled photos it would train
 * and validate on (the same split rule and seed as {@link planTraining}), the choices it would
 * use, and why it could not start, if it could not. Needs no weights to count.
 */
export function previewTraining(db: Database, req: TrainingRequest, dirs: ModelDirs): TrainingPlanPreview {
  const photos = listTrainingPhotos(db);
  const classes = listClassNames(db);
  const indexOf = new Map(classes.map((c, i) => [c.id, i] as const));
  const labeled = photos.filter((p) => p.classId !== null && indexOf.has(p.classId));
  const splits = assignSplits(
    labeled.map((p) => ({ split: p.split, classIndex: indexOf.get(p.classId as number) as number })),
    req.seed
  );
  const counts = classes.map((c) => ({ id: c.id, name: c.name, train: 0, val: 0 }));
  labeled.forEach((p, i) => {
    const split = splits[i];
    if (split !== 'excluded') counts[indexOf.get(p.classId as number) as number][split]++;
  });
  const named = labeled.map((p) => normalizeSplit(p.split));
  const { choices, problem } = choicesOrProblem(req, dirs);
  const tooFew = tooFewClasses(labeledClasses(db, photos).length) ?? problem;
  return {
    classes: counts,
    splitSource: named.includes('train') && named.includes('val') ? 'folders' : 'random',
    unlabeled: photos.length - labeled.length,
    choices,
    blocked: tooFew ? { code: tooFew.code, message: tooFew.message } : null
  };
}

function choicesOrProblem(req: TrainingRequest, dirs: ModelDirs): { choices: TrainingChoices | null; problem: AppError | null } {
  try {
    return { choices: resolveChoices(req, dirs), problem: null };
  } catch (err) {
    if (err instanceof AppError) return { choices: null, problem: err };
    throw err;
  }
}
