/** What a training job needs from, and gives to, the main side (through the worker's port). */
import type { BackendInfo } from '../../../shared/dto';
import type { FeatureEntry, TrainingProgressData } from './job-types';

export interface TrainingJobIO {
  onLoaded(info: BackendInfo): void;
  onProgress(progress: TrainingProgressData): void;
  /** New features to persist in the project's cache. */
  onFeatures(extractor: string, entries: FeatureEntry[]): void;
  requestCachedFeatures(extractor: string, hashes: string[]): Promise<FeatureEntry[]>;
  /** True once cancel was asked; polled between batches. */
  shouldStop(): boolean;
}
