import { initialMigration } from './0001-initial';
import { trainingMigration } from './0002-training';
import { predictionRejectionsMigration } from './0003-prediction-rejections';
import { runOwnerMigration } from './0004-run-owner';
import { libraryCountsMigration } from './0005-library-counts';
import { trainingExamplesMigration } from './0006-training-examples';
import { compactFeatureCacheMigration } from './0007-compact-feature-cache';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration the app knows, in order. Append new ones; never edit or reorder. */
export const migrations: Migration[] = [
  initialMigration,
  trainingMigration,
  predictionRejectionsMigration,
  runOwnerMigration,
  libraryCountsMigration,
  trainingExamplesMigration,
  compactFeatureCacheMigration
];
