import type { Migration } from './migration';

/**
 * Suggestions a person turned down, by photo and class. Predictions are replaced wholesale on
 * every run and re-predict, so a rejection kept only as a deleted prediction row came back with
 * the next one; remembered here, the same class is not offered again for that photo.
 * Projects from before this migration start with none (their rejections were not recorded).
 */
export const predictionRejectionsMigration: Migration = {
  version: 3,
  name: 'prediction-rejections',
  up(db) {
    db.exec(`
      CREATE TABLE prediction_rejections (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        rejected_at INTEGER NOT NULL,
        PRIMARY KEY (photo_id, class_id)
      ) STRICT;
      CREATE INDEX prediction_rejections_class ON prediction_rejections(class_id);
    `);
  }
};
