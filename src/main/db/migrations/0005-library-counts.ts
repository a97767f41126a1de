import type { Migration } from './migration';

/**
 * Counts kept up to date as photos and labels change, so the counts a label moves are read in
 * microseconds at any library size instead of counting 100,000 rows per refresh (issue 16).
 *
 * - `photos.label_class_id` / `label_source` mirror `labels` (kept by triggers), so the grid's
 *   label filters and sorts walk one index instead of probing `labels` row by row.
 * - `photo_counts`: photos per (folder, status, split, label class, label source); '' and 0
 *   stand for "none", since primary-key columns cannot be NULL. Every count the library shows
 *   (stats, folders, classes, page totals) is a sum over this small table.
 * - `training_predictions.is_suggestion`: the prediction shows as a suggestion now (its photo is
 *   readable and unlabeled, and the person has not turned that class down for it), and
 *   `suggestion_counts` counts the flagged rows per (run, class).
 *
 * Every trigger moves a count by exactly what its own row change does to it (photo_counts by the
 * photo row's own old and new values, suggestion_counts by the prediction's own flag), so the
 * cascades of a folder, photo, class or run delete keep the counts right in whatever order
 * SQLite runs them.
 * Anything that rebuilds `photos`, `labels`, `training_predictions` or `prediction_rejections`
 * later must recreate these triggers (a test compares the counts with a fresh COUNT(*)).
 */
export const libraryCountsMigration: Migration = {
  version: 5,
  name: 'library-counts',
  up(db) {
    db.exec(LABEL_MIRROR);
    db.exec(BROWSE_INDEXES);
    db.exec(PHOTO_COUNTS);
    db.exec(SUGGESTION_COUNTS);
  }
};

const LABEL_MIRROR = `
  ALTER TABLE photos ADD COLUMN label_class_id INTEGER;
  ALTER TABLE photos ADD COLUMN label_source TEXT;
  UPDATE photos SET label_class_id = l.class_id, label_source = l.source FROM labels l WHERE l.photo_id = photos.id;

  CREATE TRIGGER labels_mirror_insert AFTER INSERT ON labels BEGIN
    UPDATE photos SET label_class_id = NEW.class_id, label_source = NEW.source WHERE id = NEW.photo_id;
  END;
  CREATE TRIGGER labels_mirror_update AFTER UPDATE OF photo_id, class_id, source ON labels
  WHEN OLD.photo_id IS NOT NEW.photo_id OR OLD.class_id IS NOT NEW.class_id OR OLD.source IS NOT NEW.source BEGIN
    UPDATE photos SET label_class_id = NULL, label_source = NULL WHERE id = OLD.photo_id AND OLD.photo_id IS NOT NEW.photo_id;
    UPDATE photos SET label_class_id = NEW.class_id, label_source = NEW.source WHERE id = NEW.photo_id;
  END;
  CREATE TRIGGER labels_mirror_delete AFTER DELETE ON labels BEGIN
    UPDATE photos SET label_class_id = NULL, label_source = NULL WHERE id = OLD.photo_id;
  END;
`;

/**
 * One index per grid filter and order, each ending in what the filter and a name search test, so
 * a page is a walk along one index (no sort, no lookups until the page's own rows). They replace the indexes of
 * 0001, which needed a probe into labels per photo for any label filter.
 */
const BROWSE_INDEXES = `
  DROP INDEX photos_status_name;
  DROP INDEX photos_status_mtime;
  DROP INDEX photos_split;
  CREATE INDEX photos_by_name ON photos(status, name COLLATE NOCASE, id, label_class_id);
  CREATE INDEX photos_by_date ON photos(status, mtime, id, label_class_id, name);
  CREATE INDEX photos_label_name ON photos(status, label_class_id, name COLLATE NOCASE, id);
  CREATE INDEX photos_label_date ON photos(status, label_class_id, mtime, id, name);
  CREATE INDEX photos_split_name ON photos(status, split, name COLLATE NOCASE, id, label_class_id);
  CREATE INDEX photos_split_date ON photos(status, split, mtime, id, label_class_id, name);
  -- Labels accepted from the model (the 'accepted' filter and its count) without reading every label.
  CREATE INDEX labels_from_model ON labels(photo_id) WHERE source = 'model';
`;

/** The photo_counts key of a photo row, as VALUES: '' and 0 stand for no split and no label. */
function cell(row: 'NEW' | 'OLD'): string {
  return `${row}.folder_id, ${row}.status, COALESCE(${row}.split, ''), COALESCE(${row}.label_class_id, 0), COALESCE(${row}.label_source, '')`;
}
const OLD_CELL = `folder_id = OLD.folder_id AND status = OLD.status AND split = COALESCE(OLD.split, '')
  AND class_id = COALESCE(OLD.label_class_id, 0) AND source = COALESCE(OLD.label_source, '')`;

const PHOTO_COUNTS = `
  CREATE TABLE photo_counts (
    folder_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    split TEXT NOT NULL,
    class_id INTEGER NOT NULL,
    source TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (folder_id, status, split, class_id, source)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO photo_counts
    SELECT folder_id, status, COALESCE(split, ''), COALESCE(label_class_id, 0), COALESCE(label_source, ''), COUNT(*)
    FROM photos GROUP BY 1, 2, 3, 4, 5;

  CREATE TRIGGER photo_counts_insert AFTER INSERT ON photos BEGIN
    INSERT INTO photo_counts VALUES (${cell('NEW')}, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER photo_counts_delete AFTER DELETE ON photos BEGIN
    UPDATE photo_counts SET n = n - 1 WHERE ${OLD_CELL};
  END;
  CREATE TRIGGER photo_counts_update AFTER UPDATE OF folder_id, status, split, label_class_id, label_source ON photos
  WHEN OLD.folder_id IS NOT NEW.folder_id OR OLD.status IS NOT NEW.status OR OLD.split IS NOT NEW.split
    OR OLD.label_class_id IS NOT NEW.label_class_id OR OLD.label_source IS NOT NEW.label_source BEGIN
    UPDATE photo_counts SET n = n - 1 WHERE ${OLD_CELL};
    INSERT INTO photo_counts VALUES (${cell('NEW')}, 1) ON CONFLICT DO UPDATE SET n = n + 1;
  END;
`;

/** SQL truth value: prediction `p` is a suggestion now (photo readable and unlabeled, class not turned down). */
function isSuggestion(p: string): string {
  return `EXISTS (SELECT 1 FROM photos ph WHERE ph.id = ${p}.photo_id AND ph.status = 'ok' AND ph.label_class_id IS NULL)
    AND NOT EXISTS (SELECT 1 FROM prediction_rejections r WHERE r.photo_id = ${p}.photo_id AND r.class_id = ${p}.class_id)`;
}

/**
 * Re-derives the flag of the predictions `where` selects; only rows whose flag changes are
 * written. (No alias on the updated table: SQLite before 3.36 could not read such a schema.)
 */
function refreshFlags(where: string): string {
  return `UPDATE training_predictions SET is_suggestion = (${isSuggestion('training_predictions')}) WHERE ${where}
    AND is_suggestion IS NOT (${isSuggestion('training_predictions')});`;
}

/**
 * training_predictions.is_suggestion says whether a prediction shows as a suggestion now; the
 * triggers of photos, labels (through the mirror) and rejections keep it right, and the counts
 * follow the flag. The Suggested and Least-certain filters then walk an index of flagged rows.
 */
const SUGGESTION_COUNTS = `
  ALTER TABLE training_predictions ADD COLUMN is_suggestion INTEGER NOT NULL DEFAULT 0 CHECK (is_suggestion IN (0, 1));
  UPDATE training_predictions SET is_suggestion = 1 WHERE ${isSuggestion('training_predictions')};
  DROP INDEX training_predictions_confidence;
  CREATE INDEX training_predictions_confidence ON training_predictions(run_id, is_suggestion, confidence, photo_id);
  CREATE INDEX training_predictions_class ON training_predictions(run_id, class_id, is_suggestion, confidence DESC, photo_id);
  -- Predictions of one photo (flags, and the cascade when a photo is deleted).
  CREATE INDEX training_predictions_photo ON training_predictions(photo_id, class_id);

  CREATE TABLE suggestion_counts (
    run_id INTEGER NOT NULL,
    class_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (run_id, class_id)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO suggestion_counts SELECT run_id, class_id, COUNT(*) FROM training_predictions WHERE is_suggestion = 1 GROUP BY 1, 2;

  CREATE TRIGGER suggestion_flag_insert AFTER INSERT ON training_predictions BEGIN
    ${refreshFlags('rowid = NEW.rowid')}
  END;
  CREATE TRIGGER suggestion_counts_flag AFTER UPDATE OF run_id, class_id, is_suggestion ON training_predictions BEGIN
    UPDATE suggestion_counts SET n = n - 1 WHERE OLD.is_suggestion = 1 AND run_id = OLD.run_id AND class_id = OLD.class_id;
    INSERT INTO suggestion_counts SELECT NEW.run_id, NEW.class_id, 1 WHERE NEW.is_suggestion = 1 ON CONFLICT DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER suggestion_counts_delete AFTER DELETE ON training_predictions WHEN OLD.is_suggestion = 1 BEGIN
    UPDATE suggestion_counts SET n = n - 1 WHERE run_id = OLD.run_id AND class_id = OLD.class_id;
  END;

  CREATE TRIGGER suggestion_flag_photo AFTER UPDATE OF status, label_class_id ON photos BEGIN
    ${refreshFlags('photo_id = NEW.id')}
  END;
  CREATE TRIGGER suggestion_flag_reject AFTER INSERT ON prediction_rejections BEGIN
    ${refreshFlags('photo_id = NEW.photo_id AND class_id = NEW.class_id')}
  END;
  CREATE TRIGGER suggestion_flag_unreject AFTER DELETE ON prediction_rejections BEGIN
    ${refreshFlags('photo_id = OLD.photo_id AND class_id = OLD.class_id')}
  END;
`;
