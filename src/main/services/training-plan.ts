/**
 * Turns the project's labels into a training job: which backbone and weights, which classes
 * (those with labeled photos, in panel order), which photos train and validate, which are only
 * predicted. Pure reads; nothing is written until the run starts.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RequestIn } from '../../shared/contract';
import type { TrainingConfigDto, TrainingPlanPreview } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { listClassNames, listTrainingPhotos, type TrainingPhoto } from '../db/training-repository';
import { inputSizeCandidates, medianShortSide } from '../engine/input-size';
import { findManifest, locateWeights, readManifests, type ModelManifest } from '../engine/manifests';
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

/** Seconds a run may spend on optional work (more input sizes, fine-tuning) unless told otherwise. */
export const DEFAULT_TIME_BUDGET_SECONDS = 600;

/** config.modelDir is left empty: it names the run, which does not exist yet. */
export function planTraining(db: Database, request: RequestIn<'training:start'>, dirs: ModelDirs): TrainingPlan {
  const req = { fineTune: 'auto' as const, seed: 42, head: 'gap' as const, headTraining: 'logistic-cv' as const, ...request };
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
  const byId = new Map(photos.map((p) => [p.photoId, p] as const));
  const trainPhotos = items.filter((i) => i.split === 'train').map((i) => byId.get(i.photoId) as TrainingPhoto);
  const inputSizes = planInputSizes(backbone.id, req, trainPhotos);
  const summary: TrainingConfigDto = {
    backboneId: backbone.id,
    weightsPath: backbone.weightsPath,
    inputSize: inputSizes.candidates[0],
    head: req.head,
    epochs: req.epochs ?? DEFAULTS.epochs,
    fineTune: req.fineTune,
    seed: req.seed,
    headTraining: req.headTraining,
    timeBudgetSeconds: req.timeBudgetSeconds ?? DEFAULT_TIME_BUDGET_SECONDS
  };
  const config: TrainingJobConfig = {
    ...DEFAULTS,
    ...summary,
    headTraining: req.headTraining,
    timeBudgetSeconds: summary.timeBudgetSeconds ?? DEFAULT_TIME_BUDGET_SECONDS,
    inputSizes,
    classes: classes.map((c) => c.name),
    modelDir: '',
    backend: backendPreference()
  };
  return { config, summary, classes, items, unlabeled };
}

/** A size the person chose wins; the VGG fc head needs 224; otherwise the candidates the photos allow. */
function planInputSizes(
  backboneId: string,
  req: { inputSize?: number; head: 'gap' | 'vgg-fc' },
  trainPhotos: readonly { width: number | null; height: number | null }[]
): { candidates: number[]; reason: string } {
  if (req.head === 'vgg-fc') return { candidates: [224], reason: '224 px: the VGG fc head needs a 7×7 map' };
  if (req.inputSize !== undefined) return { candidates: [req.inputSize], reason: `${req.inputSize} px: chosen by you` };
  return inputSizeCandidates(backboneId, medianShortSide(trainPhotos));
}

/** TS_TRAINING_BACKEND=wasm|cpu forces a backend (benchmarks, debugging); default auto. */
function backendPreference(): 'auto' | 'wasm' | 'cpu' {
  const value = process.env.TS_TRAINING_BACKEND;
  return value === 'wasm' || value === 'cpu' ? value : 'auto';
}

/**
 * Strongest first: the backbone a run uses when none is named is the first of these whose
 * weights are present. VGG16/VGG19 lead (the recommended backbones); the bundled MobileNetV2 0.35
 * comes last, so a fresh install trains with it and any stronger weights added later win.
 */
const PREFERENCE = ['vgg16', 'vgg19', 'mobilenet_v2_100', 'mobilenet_v2_035'];

/**
 * The chosen backbone, or the first in PREFERENCE order whose weights are present. An explicit
 * weights path without a backbone id is recognised by its name.
 */
export function resolveBackbone(
  id: string | undefined,
  weightsPath: string | undefined,
  dirs: ModelDirs
): { id: string; weightsPath: string } {
  if (weightsPath !== undefined) {
    const abs = path.resolve(weightsPath);
    if (!existsSync(abs)) throw new AppError('WEIGHTS_MISSING', `Weights not found: ${abs}`);
    return { id: id ?? inferBackboneId(abs), weightsPath: abs };
  }
  if (id !== undefined) {
    const manifest = findManifest(dirs.modelsDir, id);
    const located = locateWeights(manifest, dirs);
    if (!located)
      throw new AppError(
        'WEIGHTS_MISSING',
        `No weights for ${id}. Download them in Train › Advanced (or run "npm run models:fetch -- ${manifest.id}"), or import ${manifest.file}.`
      );
    return { id: manifest.backbone, weightsPath: located };
  }
  const rank = (m: ModelManifest) => (PREFERENCE.includes(m.id) ? PREFERENCE.indexOf(m.id) : PREFERENCE.length);
  const ordered = readManifests(dirs.modelsDir).sort((a, b) => rank(a) - rank(b));
  for (const manifest of ordered) {
    const located = locateWeights(manifest, dirs);
    if (located) return { id: manifest.backbone, weightsPath: located };
  }
  throw new AppError(
    'WEIGHTS_MISSING',
    'No backbone has weights: the bundled MobileNetV2 (resources/models/mobilenet_v2_035) is missing from this installation. Reinstall, or download VGG16 in Train › Advanced.'
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
