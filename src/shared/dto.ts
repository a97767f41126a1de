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
  /** Input side, px, a run uses when it has nothing to compare (224); larger photos may get more by cross-validation. */
  defaultInputSize: number;
  /** True when the weights ship with the app: nothing to download or import. */
  bundled: boolean;
  /** Which file the weights are and where they come from, while they are missing; null when ready. */
  note: string | null;
  /** Bytes of an unfinished download kept on disk (starting it again resumes there); null when none. */
  partialBytes: number | null;
}

/** Answer of 'models:check-weights': which network a weights file is for, and whether it fits. */
export interface WeightsCheck {
  /** True when the file is usable with the backbone asked for (or with some backbone when none was). */
  ok: boolean;
  /** Backbone the weights are for (vgg16, vgg19, mobilenet_v2_035, …); null when not recognised. */
  backboneId: string | null;
  /** e.g. "VGG19", "MobileNetV2 (width 0.35)"; null when not recognised. */
  network: string | null;
  /** For people: what the file is, or what is wrong and what to do. */
  message: string;
}

/** Event 'models:download-progress': a backbone's weights are downloading ('models:download'). */
export interface DownloadProgress {
  backboneId: string;
  /** Bytes on disk so far (a resumed part included) and in all; total null when unknown. */
  received: number;
  total: number | null;
}

/** Event 'models:download-finished': the download ended; `backbone` is its status afterwards. */
export interface DownloadFinished {
  backboneId: string;
  status: 'completed' | 'failed';
  backbone: BackboneStatus | null;
  /** What went wrong and what to do; null when completed. */
  error: string | null;
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
  /** Comparing input sizes by cross-validation (absent before issue 11). */
  choose?: number;
  features: number;
  train: number;
  /** Fine-tuning, with the cross-validation that decided it (see fineTuneCheck). */
  fineTune: number;
  /** Of `fineTune`: the cross-validation of whether fine-tuning pays (absent before issue 11). */
  fineTuneCheck?: number;
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
  /** What the run decided and why; null until completed, and for runs recorded before issue 11. */
  choices: RunChoices | null;
}

/**
 * The settings a run was started with, as 'training:plan' resolved them (defaults filled in).
 * Where the run decides for itself (input size among candidates, fine-tuning 'auto'), what it
 * decided is in RunDetail.choices.
 */
export interface TrainingConfigDto {
  backboneId: string;
  weightsPath: string;
  /** Px: the size asked for, or the smallest candidate when the run compares several (inputSizeCandidates). */
  inputSize: number;
  /** Px, ascending: the sizes the run compares by cross-validation; one entry: fixed (absent before issue 11). */
  inputSizeCandidates?: number[];
  /** The run also compares the smallest and largest candidates' features side by side (multi-scale); absent: it does not. */
  inputSizeMultiScale?: boolean;
  head: 'gap' | 'vgg-fc';
  epochs: number;
  /** 'auto': decided in the run by cross-validation within the time budget. */
  fineTune: boolean | 'auto';
  seed: number;
  /** How the 'gap' head learns (absent before issue 11). */
  headTraining?: 'logistic-cv' | 'adam';
  /** Seconds the run may spend on optional work: a larger input size, fine-tuning (absent before issue 11). */
  timeBudgetSeconds?: number;
}

// ── Per-run choices (issue 11) ───────────────────────────────────────────────────────────────

/** A setting a run decided, and why in plain words (e.g. "320 px: CV 0.940 vs 0.930 at 224"). */
export interface RunChoice<T> {
  value: T;
  reason: string;
}

/** One point of the head's cross-validation over its L2 strength. */
export interface HeadCvPoint {
  /** Inverse L2 strength. */
  c: number;
  /** Mean held-out accuracy (0–1) and log-loss over the folds. */
  accuracy: number;
  logLoss: number;
  /** The strength the head was refitted with (absent in runs recorded before the CV chart). */
  chosen?: boolean;
}

/** What a run decided by cross-validation on its training photos (never the validation photos). */
export interface RunChoices {
  /** Input side, px (with multi-scale: the largest scale, the size the classifier takes photos at). */
  inputSize: RunChoice<number>;
  /** Px, ascending: the sizes whose features the classifier uses side by side (multi-scale); absent: one size. */
  scales?: number[];
  fineTune: RunChoice<boolean>;
  /** 'logistic-cv', 'adam' or 'vgg-fc', with e.g. "logistic regression, C = 0.01: best 5-fold CV accuracy 0.931". */
  head: RunChoice<string>;
  /** The head's CV curve over C at the chosen size, C ascending; empty when it was not cross-validated. */
  headCv: HeadCvPoint[];
  /** Cross-validated accuracy of the chosen setup on the training photos, 0–1; null with too few photos. */
  cvAccuracy: number | null;
  /** How far the validation accuracy can be trusted. */
  validation: { photos: number; weak: boolean; note: string | null };
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

/**
 * What a run started with a request would do, as the main side resolves it; the UI shows these,
 * never its own guess. A choice the run makes itself by cross-validation (several input size
 * candidates, fine-tuning 'auto') is given as such, with the budget it must fit.
 */
export interface TrainingChoices extends TrainingConfigDto {
  /** e.g. "VGG16 (ImageNet)". */
  backboneName: string;
  inputSizeCandidates: number[];
  /** Why this input size, or how the run chooses among the candidates (e.g. "compared by cross-validation: 224, 320 px; photos' median short side 375 px"). */
  inputSizeReason: string;
  headTraining: 'logistic-cv' | 'adam';
  /** How the head learns, for people. */
  headReason: string;
  /** Why fine-tuning is on or off, or how 'auto' decides. */
  fineTuneReason: string;
  timeBudgetSeconds: number;
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
