import type { Migration } from './migration';

/**
 * Training runs, their saved models, predictions for photos, and the feature cache.
 * Run details that are only ever read whole (config, history, metrics) are JSON text.
 */
export const trainingMigration: Migration = {
  version: 2,
  name: 'training',
  up(db) {
    db.exec(`
      CREATE TABLE training_runs (
        id INTEGER PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
        -- the validated training:start request with defaults filled in
        config TEXT NOT NULL,
        backbone_id TEXT NOT NULL,
        backend TEXT,
        -- [{id, name}] in output order of the model
        classes TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        timings TEXT,
        metrics TEXT,
        history TEXT NOT NULL DEFAULT '[]',
        -- validation photos with their loss, highest first
        examples TEXT,
        error TEXT
      ) STRICT;

      CREATE TABLE training_models (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL UNIQUE REFERENCES training_runs(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX training_models_one_active ON training_models(active) WHERE active = 1;

      CREATE TABLE training_predictions (
        run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        confidence REAL NOT NULL,
        -- probabilities in the run's class order, JSON array
        probs TEXT NOT NULL,
        PRIMARY KEY (run_id, photo_id)
      ) STRICT;
      CREATE INDEX training_predictions_confidence ON training_predictions(run_id, confidence);

      CREATE TABLE feature_cache (
        hash TEXT NOT NULL,
        -- backbone, weights, input size, pooling and preprocessing version
        extractor TEXT NOT NULL,
        dim INTEGER NOT NULL,
        data BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (hash, extractor)
      ) STRICT;
    `);
  }
};
