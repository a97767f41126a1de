/** Shapes shared by the training pipeline, the worker protocol and the main side. */
import type { ClassMetricsDto, RunTimings, TrainingProgress } from '../../../shared/dto';
import type { HeadKind } from './head';
import type { EpochStats } from './train-head';

/** A progress report as the training process sends it; the main side adds the run id. */
export type TrainingProgressData = Omit<TrainingProgress, 'runId'>;

export interface EvaluationSummary {
  /** 0–1; null without validation photos. */
  accuracy: number | null;
  perClass: ClassMetricsDto[];
  /** confusion[true][predicted]. */
  confusion: number[][];
  /** Validation photos, highest loss first. */
  examples: { photoId: number; trueIndex: number; predictedIndex: number; confidence: number; loss: number }[];
}

export interface TrainingJobConfig {
  backboneId: string;
  weightsPath: string;
  /** Square input side, px. */
  inputSize: number;
  head: HeadKind;
  /** Class names in model output order. */
  classes: string[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Epochs without a better validation loss before stage 1 stops. */
  patience: number;
  fineTune: boolean;
  fineTuneEpochs: number;
  /** Stage-2 learning rate = learningRate / this (10–100). */
  fineTuneLrDivisor: number;
  seed: number;
  /** Folder the saved model is written to. */
  modelDir: string;
  backend: 'auto' | 'wasm' | 'cpu';
}

export interface LabeledItem {
  photoId: number;
  path: string;
  hash: string;
  classIndex: number;
  split: 'train' | 'val';
}

export interface UnlabeledItem {
  photoId: number;
  path: string;
  hash: string;
}

export interface FeatureEntry {
  hash: string;
  data: Float32Array;
}

export interface PredictionOut {
  photoId: number;
  classIndex: number;
  /** 0–1. */
  confidence: number;
  probs: number[];
}

export interface TrainingJobResult {
  backend: string;
  backendLabel: string;
  backboneId: string;
  classes: string[];
  evaluation: EvaluationSummary;
  history: EpochStats[];
  fineTuneHistory: EpochStats[];
  bestEpoch: number;
  /** Seconds per stage. */
  timings: RunTimings;
  predictions: PredictionOut[];
  modelDir: string;
  features: { computed: number; cached: number; failed: { photoId: number; reason: string }[] };
  /** Bytes, resident set size high-water mark of the training process. */
  peakRss: number;
}

export interface TrainingJob {
  config: TrainingJobConfig;
  items: LabeledItem[];
  unlabeled: UnlabeledItem[];
}
