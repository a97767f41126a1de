import type { PhotoDto, PhotoPage } from '../../shared/dto';
import type { Database } from './database';
import { queryIds, type PhotoQuery } from './photo-query-plan';

export type { PhotoQuery };

interface PhotoRow {
  id: number;
  folder_id: number;
  rel_path: string;
  name: string;
  size: number;
  mtime: number;
  width: number | null;
  height: number | null;
  split: string | null;
  status: 'ok' | 'skipped';
  error: string | null;
  class_id: number | null;
  source: 'user' | 'model' | null;
  sugg_class_id: number | null;
  sugg_confidence: number | null;
}

const COLUMNS = `p.id, p.folder_id, p.rel_path, p.name, p.size, p.mtime, p.width, p.height, p.split,
  p.status, p.error, l.class_id, l.source, sp.class_id AS sugg_class_id, sp.confidence AS sugg_confidence`;
// sp: the active model's suggestion: is_suggestion (migration 0006) holds only while the photo is
// readable and unlabeled and the person has not turned that class down (the rule of predictions:list).
const FROM = `FROM photos p LEFT JOIN labels l ON l.photo_id = p.id
  LEFT JOIN training_predictions sp ON sp.photo_id = p.id AND sp.is_suggestion = 1
    AND sp.run_id = (SELECT run_id FROM training_models WHERE active = 1)`;

/** One page of a grid query: ids from the query plan, then the rows of just those photos. */
export function pagePhotos(db: Database, query: PhotoQuery, offset: number, limit: number): PhotoPage {
  const { ids, total } = queryIds(db, query, { offset, limit });
  return { total, offset, items: getPhotos(db, ids) };
}

/** Every id matching the query in grid order (select-all, keyboard navigation). */
export function photoIds(db: Database, query: PhotoQuery): number[] {
  return queryIds(db, query, { offset: 0, limit: null }).ids;
}

export function getPhoto(db: Database, id: number): PhotoDto | null {
  const row = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE p.id = ?`).get(id) as PhotoRow | undefined;
  return row ? toDto(row) : null;
}

/** The photos with these ids, in the order given; ids not in the project are left out. */
export function getPhotos(db: Database, ids: readonly number[]): PhotoDto[] {
  if (ids.length === 0) return [];
  const rows = db
    .prepare(`SELECT ${COLUMNS} ${FROM} WHERE p.id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify(ids)) as PhotoRow[];
  const byId = new Map(rows.map((r) => [r.id, r] as const));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toDto(row)] : [];
  });
}

function toDto(row: PhotoRow): PhotoDto {
  return {
    id: row.id,
    folderId: row.folder_id,
    relPath: row.rel_path,
    name: row.name,
    size: row.size,
    mtime: row.mtime,
    width: row.width,
    height: row.height,
    split: row.split,
    status: row.status,
    error: row.error,
    classId: row.class_id,
    labelSource: row.source,
    suggestion:
      row.sugg_class_id === null || row.sugg_confidence === null ? null : { classId: row.sugg_class_id, confidence: row.sugg_confidence }
  };
}
