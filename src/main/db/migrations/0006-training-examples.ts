import type { Migration } from './migration';

/**
 * A run's validation examples as rows, for the Mistakes and confusion-cell filters. Read out of
 * the run's JSON on every page, they cost a parse of every example per photo (SQLite puts the
 * JSON scan innermost): seconds at 10,000 photos. The JSON column stays the record (the run
 * detail reads it whole); a trigger keeps these rows equal to it, whoever writes it.
 */
export const trainingExamplesMigration: Migration = {
  version: 6,
  name: 'training-examples',
  up(db) {
    db.exec(`
      CREATE TABLE training_examples (
        run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
        -- 0 = highest loss, as stored in the run's examples
        rank INTEGER NOT NULL,
        photo_id INTEGER NOT NULL,
        true_index INTEGER NOT NULL,
        predicted_index INTEGER NOT NULL,
        PRIMARY KEY (run_id, rank)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX training_examples_cell ON training_examples(run_id, true_index, predicted_index, rank);
      ${copyExamples('r.id', 'r.examples', 'FROM training_runs r,')}

      CREATE TRIGGER training_examples_insert AFTER INSERT ON training_runs WHEN NEW.examples IS NOT NULL BEGIN
        ${copyExamples('NEW.id', 'NEW.examples', 'FROM')}
      END;
      CREATE TRIGGER training_examples_update AFTER UPDATE OF examples ON training_runs BEGIN
        DELETE FROM training_examples WHERE run_id = NEW.id;
        ${copyExamples('NEW.id', 'NEW.examples', 'FROM')}
      END;
    `);
  }
};

function copyExamples(runId: string, json: string, from: string): string {
  return `INSERT INTO training_examples (run_id, rank, photo_id, true_index, predicted_index)
    SELECT ${runId}, CAST(e.key AS INTEGER), json_extract(e.value, '$.photoId'), json_extract(e.value, '$.trueIndex'),
           json_extract(e.value, '$.predictedIndex')
    ${from} json_each(COALESCE(${json}, '[]')) e;`;
}
