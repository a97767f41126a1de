/**
 * The typed messages between the main side and the training process. Messages travel with
 * structured-clone ("advanced") serialization, so Float32Arrays cross without JSON.
 *
 * main → worker: start | predict | cached-features (answer to need-features) | cancel
 * worker → main: loaded | need-features | features | progress | result | predicted | cancelled | error
 *
 * The worker never opens the project: it asks for cached features once the backbone (and so
 * the cache key) is known, and sends newly computed features back for the main side to store.
 */
import type { ErrorCode } from '../../shared/errors';
import type {
  FeatureEntry,
  LabeledItem,
  PredictionOut,
  TrainingJobConfig,
  TrainingJobResult,
  TrainingProgressData,
  UnlabeledItem
} from '../engine/trainer/job-types';

export type { FeatureEntry, LabeledItem, PredictionOut, TrainingJobConfig, TrainingJobResult, UnlabeledItem };

export type MainToWorker =
  | { type: 'start'; config: TrainingJobConfig; items: LabeledItem[]; unlabeled: UnlabeledItem[] }
  | { type: 'predict'; modelDir: string; items: UnlabeledItem[]; backend: 'auto' | 'wasm' | 'cpu' }
  | { type: 'cached-features'; entries: FeatureEntry[] }
  | { type: 'cancel' };

export type WorkerToMain =
  | { type: 'loaded'; backend: string; backendLabel: string }
  | { type: 'need-features'; extractor: string; hashes: string[] }
  | { type: 'features'; extractor: string; entries: FeatureEntry[] }
  | { type: 'progress'; progress: TrainingProgressData }
  | { type: 'result'; result: TrainingJobResult }
  | { type: 'predicted'; predictions: PredictionOut[]; classes: string[] }
  | { type: 'cancelled' }
  | { type: 'error'; code: ErrorCode; message: string };

const MAIN_TYPES = new Set(['start', 'predict', 'cached-features', 'cancel']);
const WORKER_TYPES = new Set(['loaded', 'need-features', 'features', 'progress', 'result', 'predicted', 'cancelled', 'error']);

function hasType(value: unknown, types: Set<string>): boolean {
  return typeof value === 'object' && value !== null && types.has(String((value as { type?: unknown }).type));
}

/** Both ends are our own code; the check guards against stray messages, not hostile ones. */
export function isMainToWorker(value: unknown): value is MainToWorker {
  return hasType(value, MAIN_TYPES);
}

export function isWorkerToMain(value: unknown): value is WorkerToMain {
  return hasType(value, WORKER_TYPES);
}
