import type { Migration } from './migration';

/**
 * Every running run has an owner: the process that trains it (pid and host) and when that
 * process last said it is still at it (heartbeat, epoch ms). Another process opening the
 * project marks a run failed only when its owner is gone; before, any command on the project
 * failed a run another process was training. Runs from before this migration have no owner
 * and are settled the old way. A run that completed after having been marked failed kept the
 * error text; completed runs lose it here.
 */
export const runOwnerMigration: Migration = {
  version: 4,
  name: 'run-owner',
  up(db) {
    db.exec(`
      ALTER TABLE training_runs ADD COLUMN owner_pid INTEGER;
      ALTER TABLE training_runs ADD COLUMN owner_host TEXT;
      ALTER TABLE training_runs ADD COLUMN owner_heartbeat INTEGER;
      UPDATE training_runs SET error = NULL WHERE status = 'completed';
    `);
  }
};
