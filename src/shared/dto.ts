/** Data shapes that cross the API boundary. Plain JSON: no Dates, no Buffers, no classes. */
import type { ErrorCode } from './errors';

/** Where a photo stands after import. */
export type PhotoStatus = 'ok' | 'skipped';

export interface ProjectInfo {
  /** Absolute path of the project's SQLite file. */
  path: string;
  /** File name without extension, for the title bar. */
  name: string;
  /** SQLite `user_version` after migrations. */
  schemaVersion: number;
}

export interface FolderDto {
  id: number;
  /** Absolute path on disk. Shown to the user; never used by the renderer to read files. */
  path: string;
  classesFromFolders: boolean;
  /** Epoch ms of the last finished scan, or null if never scanned. */
  lastScanAt: number | null;
  /** False when the folder no longer exists on disk. */
  present: boolean;
  photoCount: number;
}

export interface PhotoDto {
  id: number;
  folderId: number;
  /** Path relative to the folder, with forward slashes. */
  relPath: string;
  /** File name only, for display and search. */
  name: string;
  /** Bytes. */
  size: number;
  /** File modification time, epoch ms. */
  mtime: number;
  /** Pixels, after EXIF orientation is applied; null when unreadable. */
  width: number | null;
  height: number | null;
  split: string | null;
  status: PhotoStatus;
  /** Why the photo was skipped (corrupt, not an image, …); null when status is ok. */
  error: string | null;
  /** Id of the labeled class, or null. */
  classId: number | null;
  labelSource: 'user' | 'model' | null;
  /** The active model's suggestion for an unlabeled photo; absent or null otherwise. */
  suggestion?: PhotoSuggestion | null;
}

export interface PhotoSuggestion {
  classId: number;
  /** Probability of the suggested class, 0–1. */
  confidence: number;
}

export interface ClassDto {
  id: number;
  name: string;
  /** CSS color, `#rrggbb`. */
  color: string;
  /** Single key that assigns this class (e.g. "1"), or null. */
  hotkey: string | null;
  /** 0-based order in the classes panel. */
  position: number;
  /** Number of photos labeled with this class. */
  count: number;
}

export interface SkippedFile {
  /** Absolute path. */
  path: string;
  reason: string;
}

export interface ImportResult {
  folderId: number;
  /** Photos (status ok) in the whole project after the import. */
  photos: number;
  added: number;
  removed: number;
  updated: number;
  /** Files moved or renamed inside the folder that kept their label (same content hash). */
  moved: number;
  /** Exact duplicates (same content hash as a photo already in the project) that were skipped. */
  duplicates: number;
  /** Class name → labeled photo count, over the whole project. */
  classes: Record<string, number>;
  /** Split name → photo count, over the whole project. */
  splits: Record<string, number>;
  skipped: SkippedFile[];
  /** Wall time, ms. */
  elapsedMs: number;
}

export interface ProjectStats {
  photos: number;
  labeled: number;
  unlabeled: number;
  /** Labeled photos whose label was accepted from the model's suggestion (source 'model'); part of `labeled`. */
  acceptedFromModel: number;
  skipped: number;
  classes: Record<string, number>;
  splits: Record<string, number>;
}

export interface LabelChangeResult {
  /** Photos whose label actually changed. */
  changed: number;
  /** Those photos (an undo or redo names what it changed, so the UI can show it). */
  photoIds: number[];
  canUndo: boolean;
  canRedo: boolean;
  /** The step an undo would revert now (pass it to labels:undo to undo exactly that change), or null. */
  undoStep: number | null;
  /** The counts after the change and the changed photos as they are now. */
  delta: LabelDelta;
}

export interface PhotoPage {
  /** Number of photos matching the query, over all pages. */
  total: number;
  offset: number;
  items: PhotoDto[];
}

export type ProgressPhase = 'scan' | 'hash' | 'thumbnails';

export interface ImportProgress {
  phase: ProgressPhase;
  done: number;
  total: number;
  /** Path being worked on, absolute. */
  currentPath: string;
  /** Items per second over the phase so far. */
  rate: number;
}

export interface BackendInfo {
  /** tfjs backend name: 'tensorflow' (native, GPU or CPU), 'wasm' or 'cpu'. */
  backend: string;
  device: 'gpu' | 'cpu';
  /** Human label, e.g. "CPU · WebAssembly (tfjs-node not installed)". */
  label: string;
  /** Why each better backend was not used, in order of preference. */
  unavailable: { name: string; reason: string }[];
  /** What runs frozen forward passes (features, predictions, embed); tfjs above trains. */
  inference?: InferenceInfo;
}

/** The runtime of frozen forward passes: ONNX Runtime with its execution provider, or tfjs as the fallback. */
export interface InferenceInfo {
  runtime: 'onnxruntime' | 'tfjs';
  /** ONNX Runtime execution provider ('cpu', 'cuda', 'dml', 'coreml', 'webgpu'), or the tfjs backend name. */
  provider: string;
  device: 'gpu' | 'cpu';
  /** Intra-op threads of the CPU provider; null otherwise. */
  threads: number | null;
  /** E.g. "ONNX Runtime · CPU (2 threads)". */
  label: string;
  /** Why each runtime or provider tried before this one was not used, in order. */
  unavailable: { name: string; reason: string }[];
}

export interface BackboneStatus {
  id: string;
  displayName: string;
  /** True when weights are present locally and the backbone can be loaded. */
  ready: boolean;
  /** Absolute path of the weights file or folder when ready. */
  weightsPath: string | null;
  /** Download size, bytes, when known. */
  sizeBytes: number | null;
  preprocessing: string;
  /** Feature vector length after global pooling. */
  featureDim: number;
  /** Input side, px, a run uses unless another is chosen (320 for MobileNetV2, 224 for VGG). */
  defaultInputSize: number;
  note: string | null;
}

export interface AppInfo {
  version: string;
  transport: 'electron' | 'http' | 'direct';
  project: ProjectInfo | null;
}

// ── Training (issue 5) ──────────────────────────────────────────────────────────────────────

/** What the training process is doing now. */
export type TrainingPhase = 'loading' | 'features' | 'training' | 'fine-tuning' | 'evaluating' | 'predicting' | 'saving';

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** Loss and accuracy of one epoch; accuracy 0–1, val fields null without validation photos. */
export interface EpochMetrics {
  stage: 'head' | 'fine-tune';
  /** 1-based within its stage. */
  epoch: number;
  loss: number;
  acc: number;
  valLoss: number | null;
  valAcc: number | null;
}

/** One progress report of a run (event 'training:progress'). */
export interface TrainingProgress {
  runId: number;
  phase: TrainingPhase;
  /** Units done and total in this phase: photos (features, evaluating, predicting) or batches (training). */
  done: number;
  total: number;
  /** Current epoch (1-based) and planned epochs while training/fine-tuning, else null. */
  epoch: number | null;
  epochs: number | null;
  /** Exponentially smoothed over batches of this stage. */
  batchLoss: number | null;
  batchAcc: number | null;
  /** Set on the report that ends an epoch. */
  epochMetrics: EpochMetrics | null;
  /** Images (or feature rows) per second in this phase. */
  imagesPerSec: number | null;
  /** Since the run started, ms. */
  elapsedMs: number;
  /** Estimated time left in this phase, ms; null when unknown. */
  etaMs: number | null;
  /** For people, e.g. the fine-tuning time estimate before it starts. */
  note: string | null;
}

/** Event 'training:finished'. */
export interface TrainingFinished {
  runId: number;
  status: Exclude<RunStatus, 'running'>;
  /** 0–1, on the validation photos; null unless completed with validation photos. */
  valAccuracy: number | null;
  error: string | null;
}

/**
 * Event 'predictions:progress': a re-predict with a saved model (training:predict). 'loading'
 * (the model is being loaded; `done` 0, `total` the photos to come) precedes 'predicting'.
 */
export interface PredictionProgress {
  /** The run whose model predicts. */
  runId: number;
  phase: 'loading' | 'predicting';
  /** Unlabeled photos predicted so far, and in all; done ≤ total, and done = total on the last report. */
  done: number;
  total: number;
  /** Photos per second while predicting; null until known. */
  imagesPerSec: number | null;
  /** Estimated time left, ms; null when unknown. */
  etaMs: number | null;
}

/**
 * Event 'predictions:finished': a re-predict ended, emitted after the training-process slot is
 * free again. Windows that did not start it learn the end from this, not from the invoke answer.
 */
export interface PredictionFinished {
  runId: number;
  status: 'completed' | 'cancelled' | 'failed';
  /** Photos that got a prediction when completed, else null. */
  predictions: number | null;
  /** The failure's message when failed, else null. */
  error: string | null;
}

/** What holds the app's one training-process slot ('training:busy'); both null when it is free. */
export interface TrainingBusy {
  kind: 'training' | 'predicting' | null;
  /** The training run, or the run whose model re-predicts. */
  runId: number | null;
}

export interface ClassMetricsDto {
  name: string;
  /** 0–1. */
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Seconds. */
export interface RunTimings {
  load: number;
  features: number;
  train: number;
  fineTune: number;
  evaluate: number;
  predict: number;
  save: number;
  total: number;
}

export interface RunSummary {
  id: number;
  status: RunStatus;
  backboneId: string;
  /** tfjs backend the run used, null until known. */
  backend: string | null;
  classes: string[];
  /** Epoch ms. */
  startedAt: number;
  finishedAt: number | null;
  /** 0–1 on validation photos. */
  valAccuracy: number | null;
  /** True when this run's model is the one suggestions come from. */
  active: boolean;
  error: string | null;
}

/** A validation photo with how wrong the model was; 'mistakes' lists them highest loss first. */
export interface ValidationExample {
  photoId: number;
  trueClass: string;
  predictedClass: string;
  /** Probability of the predicted class, 0–1. */
  confidence: number;
  /** -ln p(true class). */
  loss: number;
}

export interface RunDetail extends RunSummary {
  config: TrainingConfigDto;
  timings: RunTimings | null;
  history: EpochMetrics[];
  perClass: ClassMetricsDto[];
  /** confusion[true][predicted], in `classes` order; null until completed. */
  confusion: number[][] | null;
  mistakes: ValidationExample[];
  /** Absolute folder of the saved TF.js layers-model, null until completed. */
  modelPath: string | null;
  /** Feature vectors computed by this run vs taken from the cache. */
  featuresComputed: number | null;
  featuresCached: number | null;
  /** High-water mark of the training process's resident memory, bytes; null until completed. */
  peakRssBytes: number | null;
  /** What computed the features, e.g. "ONNX Runtime · CPU (2 threads)"; null when all came from the cache. */
  inference: string | null;
}

/** The settings a run used (defaults filled in). */
export interface TrainingConfigDto {
  backboneId: string;
  weightsPath: string;
  inputSize: number;
  head: 'gap' | 'vgg-fc';
  epochs: number;
  fineTune: boolean;
  seed: number;
}

export interface PredictionDto {
  photoId: number;
  classId: number;
  className: string;
  /** 0–1. */
  confidence: number;
}

export interface PredictionPage {
  runId: number | null;
  total: number;
  items: PredictionDto[];
}

/** What a run started now would train on and use (answer of 'training:plan'). */
export interface TrainingPlanPreview {
  /** Classes with labels, in panel order, plus labeled-nothing classes with zeros. */
  classes: { id: number; name: string; train: number; val: number }[];
  /** 'folders' when the imported train/val splits are used, else a seeded 20% per class. */
  splitSource: 'folders' | 'random';
  /** Photos the model will predict after training. */
  unlabeled: number;
  /** The choices such a run would use, defaults resolved; null when they cannot be made (see `blocked`). */
  choices: TrainingChoices | null;
  /** Why such a run could not start now (too few labeled classes, no weights, …); null when it could. */
  blocked: { code: ErrorCode; message: string } | null;
}

/** A run's settings as the main side resolves them from a request; the UI shows these, never its own guess. */
export interface TrainingChoices extends TrainingConfigDto {
  /** e.g. "VGG16 (ImageNet)". */
  backboneName: string;
  /** Why this input size, for people (e.g. "MobileNetV2's default: …"). */
  inputSizeReason: string;
}

// ── Label changes applied in place (issue 16) ──────────────────────────────────────────────────

/** The counts a label change moves, read from counts the project keeps up to date (µs at any size). */
export interface LabelCounts {
  /** What stats:get answers now. */
  stats: ProjectStats;
  /** Class id → photos labeled with it now (ClassDto.count). */
  classes: Record<number, number>;
  /** The active model's suggestions now, in all and per class id (the predictions:list totals); zeros without a model. */
  suggestions: { total: number; byClass: Record<number, number> };
}

/**
 * What a label change did (labels:assign/undo/redo, predictions:accept/reject), in its answer and
 * in 'library:changed', so every window updates its counts and tiles in place instead of
 * refetching them; only a grid whose filter or order depends on labels refetches its pages.
 */
export interface LabelDelta {
  /** Increases with every change; a window applies a delta only if it is newer than the last it applied. */
  seq: number;
  /** The changed photos as photos:get shows them now; null when more changed than a delta carries (refetch then). */
  photos: PhotoDto[] | null;
  counts: LabelCounts;
}
