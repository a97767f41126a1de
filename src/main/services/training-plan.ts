/**
 * Turns the project's labels into a training job: which backbone and weights, which classes
 * (those with labeled photos, in panel order), which photos train and validate, which are only
 * predicted. Pure reads; nothing is written until the run starts.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Request } from '../../shared/contract';
import type { TrainingConfigDto, TrainingPlanPreview } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { listClassNames, listTrainingPhotos } from '../db/training-repository';
import { defaultInputSize } from '../engine/input-size';
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

/** config.modelDir is left empty: it names the run, which does not exist yet. */
export function planTraining(db: Database, req: NonNullable<Request<'training:start'>>, dirs: ModelDirs): TrainingPlan {
  const backbone = resolveBackbone(req.backboneId, req.weightsPath, dirs);
  const photos = listTrainingPhotos(db);
  const labeledClassIds = new Set(photos.flatMap((p) => (p.classId === null ? [] : [p.classId])));
  const classes = listClassNames(db).filter((c) => labeledClassIds.has(c.id));
  if (classes.length < 2) {
    throw new AppError('INVALID_REQUEST', `Label photos in at least two classes before training (labeled classes: ${classes.length}).`);
  }
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
  const summary: TrainingConfigDto = {
    backboneId: backbone.id,
    weightsPath: backbone.weightsPath,
    inputSize: req.head === 'vgg-fc' ? 224 : (req.inputSize ?? backbone.inputSize),
    head: req.head,
    epochs: req.epochs ?? DEFAULTS.epochs,
    fineTune: req.fineTune,
    seed: req.seed
  };
  const config: TrainingJobConfig = {
    ...DEFAULTS,
    ...summary,
    classes: classes.map((c) => c.name),
    modelDir: '',
    backend: backendPreference()
  };
  return { config, summary, classes, items, unlabeled };
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
): { id: string; weightsPath: string; inputSize: number } {
  const resolved = (backboneId: string, located: string) => ({
    id: backboneId,
    weightsPath: located,
    inputSize: defaultInputSize(backboneId)
  });
  if (weightsPath !== undefined) {
    const abs = path.resolve(weightsPath);
    if (!existsSync(abs)) throw new AppError('WEIGHTS_MISSING', `Weights not found: ${abs}`);
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
    return resolved(manifest.backbone, located);
  }
  const manifests = readManifests(dirs.modelsDir);
  const ordered = [...manifests.filter((m) => m.id === 'vgg16'), ...manifests.filter((m) => m.id !== 'vgg16')];
  for (const manifest of ordered) {
    const located = locateWeights(manifest, dirs);
    if (located) return resolved(manifest.backbone, located);
  }
  throw new AppError('WEIGHTS_MISSING', 'No backbone has weights yet. Fetch or import weights (Models), or pass --backbone and --weights.');
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
 * Per class, how many labeled photos a run started now would train and validate on: the same
 * split rule and seed as {@link planTraining}, without needing weights.
 */
export function previewTraining(db: Database, seed: number): TrainingPlanPreview {
  const photos = listTrainingPhotos(db);
  const classes = listClassNames(db);
  const indexOf = new Map(classes.map((c, i) => [c.id, i] as const));
  const labeled = photos.filter((p) => p.classId !== null && indexOf.has(p.classId));
  const splits = assignSplits(
    labeled.map((p) => ({ split: p.split, classIndex: indexOf.get(p.classId as number) as number })),
    seed
  );
  const counts = classes.map((c) => ({ id: c.id, name: c.name, train: 0, val: 0 }));
  labeled.forEach((p, i) => {
    const split = splits[i];
    if (split !== 'excluded') counts[indexOf.get(p.classId as number) as number][split]++;
  });
  const named = labeled.map((p) => normalizeSplit(p.split));
  return {
    classes: counts,
    splitSource: named.includes('train') && named.includes('val') ? 'folders' : 'random',
    unlabeled: photos.length - labeled.length
  };
}
