/**
 * The answer to "what did this label change do": the counts it moved and the photos it changed,
 * sent with the change's answer and its 'library:changed' event so windows update in place.
 * Everything here is read from counts the database keeps (migration 0006) plus the changed rows,
 * so it costs the same at 1,000 photos as at 100,000.
 */
import type { LabelCounts, LabelDelta } from '../../shared/dto';
import type { Database } from '../db/database';
import { getPhotos } from '../db/photo-query';
import { labelCountsByClass, projectStats, suggestionCounts } from '../db/stats-repository';
import { activeRunId } from '../db/training-repository';
import type { EventBus } from './event-bus';

/** Photos a delta carries; a larger change (select-all) tells windows to refetch instead. */
export const MAX_DELTA_PHOTOS = 1000;

/** Orders deltas across every project and window of this process. */
let lastSeq = 0;

export function labelCounts(db: Database): LabelCounts {
  const runId = activeRunId(db);
  return {
    stats: projectStats(db),
    classes: labelCountsByClass(db),
    suggestions: runId === null ? { total: 0, byClass: {} } : suggestionCounts(db, runId)
  };
}

export function labelDelta(db: Database, photoIds: readonly number[]): LabelDelta {
  const unique = [...new Set(photoIds)];
  return {
    seq: ++lastSeq,
    photos: unique.length <= MAX_DELTA_PHOTOS ? getPhotos(db, unique) : null,
    counts: labelCounts(db)
  };
}

/**
 * Adds the delta of a label change to its answer and, when something changed, announces it
 * with the same delta. Returns the answer.
 */
export function announceLabelChange<T extends object>(
  db: Database,
  events: EventBus,
  change: T,
  photoIds: readonly number[]
): T & { delta: LabelDelta } {
  const delta = labelDelta(db, photoIds);
  if (photoIds.length > 0) events.emit('library:changed', { reason: 'labels', delta });
  return { ...change, delta };
}
