/**
 * What a training job exchanges with whoever runs it (the worker entry, or a test): everything
 * it needs from or gives to the project goes through this interface, and every stage of the
 * job takes the same object.
 */
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
