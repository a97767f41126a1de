import type { Migration } from './migration';

/**
 * Folders, photos, classes and labels. Later issues add training runs, models, predictions
 * and cached features in their own migrations.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        classes_from_folders INTEGER NOT NULL DEFAULT 0 CHECK (classes_from_folders IN (0, 1)),
        added_at INTEGER NOT NULL,
        last_scan_at INTEGER
      ) STRICT;

      CREATE TABLE photos (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        rel_path TEXT NOT NULL,
        -- file name only: search and sort by name must not depend on the folder depth
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime INTEGER NOT NULL,
        hash TEXT,
        width INTEGER,
        height INTEGER,
        split TEXT,
        status TEXT NOT NULL CHECK (status IN ('ok', 'skipped')),
        error TEXT,
        added_at INTEGER NOT NULL,
        UNIQUE (folder_id, rel_path)
      ) STRICT;
      CREATE INDEX photos_hash ON photos(hash);
      CREATE INDEX photos_status_name ON photos(status, name COLLATE NOCASE, id);
      CREATE INDEX photos_status_mtime ON photos(status, mtime, id);
      CREATE INDEX photos_split ON photos(split, status);

      CREATE TABLE classes (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        color TEXT NOT NULL,
        hotkey TEXT COLLATE NOCASE,
        position INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX classes_hotkey ON classes(hotkey) WHERE hotkey IS NOT NULL;

      CREATE TABLE labels (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
        source TEXT NOT NULL CHECK (source IN ('user', 'model')),
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX labels_class ON labels(class_id);
    `);
  }
};
