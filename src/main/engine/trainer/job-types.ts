/**
 * Shapes shared by the training pipeline, the worker protocol and the main side. Each shape is
 * a zod schema (the worker protocol checks every message with them) and its TypeScript type is
 * derived from it, so the two cannot drift apart. Shapes that belong to the API contract
 * (src/shared/dto.ts) stay declared there; the schemas here are
 * checked against them at compile time (see the `Same` assertions below).
 */
import { z } from 'zod';
import type {
  BackendInfo,
  ClassMetricsDto,
  EpochMetrics,
  RunChoices,
  RunTimings,
  TrainingPhase,
  TrainingProgress
} from '../../../shared/dto';

/**
 * Any JavaScript number, NaN and ±Infinity included: a diverging loss is a training outcome to
 * report, not a malformed message (z.number() rejects NaN and Infinity).
 */
const anyNumber = z.custom<number>((v) => typeof v === 'number', { message: 'expected a number' });
const count = z.number().int().nonnegative();
const photoId = z.number().int();

export const epochMetricsSchema = z.object({
  stage: z.enum(['head', 'fine-tune']),
  epoch: count,
  loss: anyNumber,
  acc: anyNumber,
  valLoss: anyNumber.nullable(),
  valAcc: anyNumber.nullable()
});

const trainingPhaseSchema = z.enum(['loading', 'features', 'training', 'fine-tuning', 'evaluating', 'predicting', 'saving']);

/** A progress report as the training process sends it; the main side adds the run id. */
export const trainingProgressDataSchema = z.object({
  phase: trainingPhaseSchema,
  done: anyNumber,
  total: anyNumber,
  epoch: count.nullable(),
  epochs: count.nullable(),
  batchLoss: anyNumber.nullable(),
  batchAcc: anyNumber.nullable(),
  epochMetrics: epochMetricsSchema.nullable(),
  imagesPerSec: anyNumber.nullable(),
  elapsedMs: anyNumber,
  etaMs: anyNumber.nullable(),
  note: z.string().nullable()
});
export type TrainingProgressData = z.infer<typeof trainingProgressDataSchema>;

const classMetricsSchema = z.object({ name: z.string(), precision: anyNumber, recall: anyNumber, f1: anyNumber, support: count });

export const evaluationSummarySchema = z.object({
  /** 0–1; null without validation photos. */
  accuracy: anyNumber.nullable(),
  perClass: z.array(classMetricsSchema),
  /** confusion[true][predicted]. */
  confusion: z.array(z.array(count)),
  /** Validation photos, highest loss first. */
  examples: z.array(z.object({ photoId, trueIndex: count, predictedIndex: count, confidence: anyNumber, loss: anyNumber }))
});
export type EvaluationSummary = z.infer<typeof evaluationSummarySchema>;

const headKindSchema = z.enum(['gap', 'vgg-fc']);
/** 'gap' (pooled features → dense) or 'vgg-fc' (the VGG top at 224 px); see head.ts. */
export type HeadKind = z.infer<typeof headKindSchema>;
export const backendChoiceSchema = z.enum(['auto', 'wasm', 'cpu']);

/** What the backend probe answers (engine:status); see BackendInfo. */
const unavailableSchema = z.array(z.object({ name: z.string(), reason: z.string() }));

export const backendInfoSchema = z.object({
  backend: z.string(),
  device: z.enum(['gpu', 'cpu']),
  label: z.string(),
  unavailable: unavailableSchema,
  inference: z
    .object({
      runtime: z.enum(['onnxruntime', 'tfjs']),
      provider: z.string(),
      device: z.enum(['gpu', 'cpu']),
      threads: z.number().int().nullable(),
      label: z.string(),
      unavailable: unavailableSchema
    })
    .optional()
});

export const trainingJobConfigSchema = z.object({
  backboneId: z.string(),
  weightsPath: z.string(),
  /** Square input side, px. */
  inputSize: z.number().int().positive(),
  head: headKindSchema,
  /** Class names in model output order. */
  classes: z.array(z.string()),
  epochs: count,
  batchSize: z.number().int().positive(),
  learningRate: z.number(),
  /** Epochs without a better validation loss before stage 1 stops. */
  patience: count,
  /** 'auto': decided in the run by cross-validation within the time budget (see choice-rules.ts). */
  fineTune: z.union([z.boolean(), z.literal('auto')]),
  /** Why fine-tuning is on or off, or how 'auto' decides, as 'training:plan' said it. */
  fineTuneReason: z.string(),
  fineTuneEpochs: count,
  /** How the 'gap' head learns ('vgg-fc' always uses Adam). */
  headTraining: z.enum(['logistic-cv', 'adam']),
  /** Sizes (px, ascending) the run compares by cross-validation; one: `inputSize` is fixed, for `reason`. */
  inputSizes: z.object({
    candidates: z.array(z.number().int().positive()).min(1),
    reason: z.string(),
    /** Also compare the smallest and largest candidates' features side by side (multi-scale; frozen-feature head only). */
    multiScale: z.boolean().optional()
  }),
  /** Seconds the run may spend on optional work (more input sizes, fine-tuning). */
  timeBudgetSeconds: z.number().positive(),
  /** Stage-2 learning rate = learningRate / this (10–100). */
  fineTuneLrDivisor: z.number(),
  seed: z.number().int(),
  /** Folder the saved model is written to. */
  modelDir: z.string(),
  backend: backendChoiceSchema,
  /** Folder for exported ONNX graphs, kept between runs (the app's cache dir); none: not kept. */
  exportCacheDir: z.string().optional()
});
export type TrainingJobConfig = z.infer<typeof trainingJobConfigSchema>;

export const labeledItemSchema = z.object({
  photoId,
  path: z.string(),
  hash: z.string(),
  classIndex: count,
  split: z.enum(['train', 'val'])
});
export type LabeledItem = z.infer<typeof labeledItemSchema>;

export const unlabeledItemSchema = z.object({ photoId, path: z.string(), hash: z.string() });
export type UnlabeledItem = z.infer<typeof unlabeledItemSchema>;

/**
 * One feature vector. It crosses as a Float32Array (structured clone), so the check is on its
 * type and length, never on each number.
 */
export const featureEntrySchema = z.object({
  hash: z.string(),
  // z.custom, not z.instanceof: the latter types the buffer as ArrayBuffer only.
  data: z.custom<Float32Array>((v) => v instanceof Float32Array && v.length > 0, { message: 'expected a non-empty Float32Array' })
});
export type FeatureEntry = z.infer<typeof featureEntrySchema>;

/** Feature vectors of one batch come from one extractor, so they all have the same length. */
export const featureEntriesSchema = z
  .array(featureEntrySchema)
  .refine((entries) => entries.every((e) => e.data.length === entries[0].data.length), 'feature vectors of different lengths');

export const predictionOutSchema = z.object({
  photoId,
  classIndex: count,
  /** 0–1. */
  confidence: anyNumber,
  probs: z.array(anyNumber)
});
export type PredictionOut = z.infer<typeof predictionOutSchema>;

const epochStatsSchema = z.object({
  /** 1-based. */
  epoch: count,
  loss: anyNumber,
  /** 0–1. */
  acc: anyNumber,
  valLoss: anyNumber.nullable(),
  valAcc: anyNumber.nullable()
});
/** Loss and accuracy of one epoch of one stage, as train-head.ts reports it. */
export type EpochStats = z.infer<typeof epochStatsSchema>;

const runTimingsSchema = z.object({
  load: anyNumber,
  choose: anyNumber.optional(),
  features: anyNumber,
  train: anyNumber,
  fineTune: anyNumber,
  fineTuneCheck: anyNumber.optional(),
  evaluate: anyNumber,
  predict: anyNumber,
  save: anyNumber,
  total: anyNumber
});

const runChoicesSchema = z.object({
  inputSize: z.object({ value: z.number().int().positive(), reason: z.string() }),
  scales: z.array(z.number().int().positive()).optional(),
  fineTune: z.object({ value: z.boolean(), reason: z.string() }),
  head: z.object({ value: z.string(), reason: z.string() }),
  headCv: z.array(z.object({ c: anyNumber, accuracy: anyNumber, logLoss: anyNumber, chosen: z.boolean().optional() })),
  cvAccuracy: anyNumber.nullable(),
  validation: z.object({ photos: count, weak: z.boolean(), note: z.string().nullable() })
});

export const trainingJobResultSchema = z.object({
  backend: z.string(),
  backendLabel: z.string(),
  backboneId: z.string(),
  classes: z.array(z.string()),
  evaluation: evaluationSummarySchema,
  history: z.array(epochStatsSchema),
  fineTuneHistory: z.array(epochStatsSchema),
  bestEpoch: anyNumber,
  /** Seconds per stage. */
  timings: runTimingsSchema,
  predictions: z.array(predictionOutSchema),
  modelDir: z.string(),
  features: z.object({ computed: count, cached: count, failed: z.array(z.object({ photoId, reason: z.string() })) }),
  /** Bytes, resident set size high-water mark of the training process. */
  peakRss: anyNumber,
  /** Runtime of the frozen forward passes, e.g. "ONNX Runtime · CPU (2 threads)"; null when none ran. */
  inference: z.string().nullable(),
  /** What the run decided and why. */
  choices: runChoicesSchema
});
export type TrainingJobResult = z.infer<typeof trainingJobResultSchema>;

export interface TrainingJob {
  config: TrainingJobConfig;
  items: LabeledItem[];
  unlabeled: UnlabeledItem[];
}

// Compile-time checks: the schemas describe exactly the types declared elsewhere.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type SchemaChecks = [
  Assert<Same<TrainingProgressData, Omit<TrainingProgress, 'runId'>>>,
  Assert<Same<z.infer<typeof trainingPhaseSchema>, TrainingPhase>>,
  Assert<Same<z.infer<typeof epochMetricsSchema>, EpochMetrics>>,
  Assert<Same<z.infer<typeof classMetricsSchema>, ClassMetricsDto>>,
  Assert<Same<z.infer<typeof runTimingsSchema>, RunTimings>>,
  Assert<Same<z.infer<typeof backendInfoSchema>, BackendInfo>>,
  Assert<Same<z.infer<typeof runChoicesSchema>, RunChoices>>
];
