import type { PhotoFilter, PhotoSort } from '../../shared/contract';
import type { PhotoDto, PhotoPage } from '../../shared/dto';
import type { Database } from './database';

/** A grid query: which photos, which name substring, in which order. */
export interface PhotoQuery {
  filter: PhotoFilter;
  /** Case-insensitive substring of the file name; '' matches all. */
  search: string;
  sort: PhotoSort;
}

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
// sp: the active model's suggestion, only for photos that are still unlabeled and only when the
// person has not turned that class down for the photo (the same rule as predictions:list, so the
// grid, its filters and every count agree).
const FROM = `FROM photos p LEFT JOIN labels l ON l.photo_id = p.id LEFT JOIN classes c ON c.id = l.class_id
  LEFT JOIN training_predictions sp ON sp.photo_id = p.id AND l.class_id IS NULL
    AND sp.run_id = (SELECT run_id FROM training_models WHERE active = 1)
    AND NOT EXISTS (SELECT 1 FROM prediction_rejections pr WHERE pr.photo_id = p.id AND pr.class_id = sp.class_id)`;
/** A run's validation examples (stored highest loss first) as rows: photo id, rank, true/predicted index. */
const EXAMPLES = `JOIN (SELECT json_extract(e.value, '$.photoId') AS photo_id, CAST(e.key AS INTEGER) AS rank,
    json_extract(e.value, '$.trueIndex') AS true_index, json_extract(e.value, '$.predictedIndex') AS predicted_index
  FROM training_runs r, json_each(r.examples) e WHERE r.id = @runId) x ON x.photo_id = p.id`;

/** Sort orders; each ends in p.id so paging is stable. Names sort case-insensitively. */
const ORDER_BY: Record<PhotoSort, string> = {
  name: 'p.name COLLATE NOCASE, p.id',
  date: 'p.mtime, p.id',
  // Unlabeled photos come after every class, classes in panel order.
  class: 'c.position IS NULL, c.position, p.name COLLATE NOCASE, p.id'
};

export function pagePhotos(db: Database, query: PhotoQuery, offset: number, limit: number): PhotoPage {
  const { from, where, params, order } = whereClause(query);
  const { n } = db.prepare(`SELECT COUNT(*) AS n ${from} WHERE ${where}`).get(params) as { n: number };
  const rows = db
    .prepare(`SELECT ${COLUMNS} ${from} WHERE ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
    .all({ ...params, limit, offset }) as PhotoRow[];
  return { total: n, offset, items: rows.map(toDto) };
}

/** Every id matching the query in grid order (select-all, keyboard navigation). */
export function photoIds(db: Database, query: PhotoQuery): number[] {
  const { from, where, params, order } = whereClause(query);
  return db.prepare(`SELECT p.id ${from} WHERE ${where} ORDER BY ${order}`).pluck().all(params) as number[];
}

export function getPhoto(db: Database, id: number): PhotoDto | null {
  const row = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE p.id = ?`).get(id) as PhotoRow | undefined;
  return row ? toDto(row) : null;
}

interface SqlQuery {
  from: string;
  where: string;
  params: Record<string, unknown>;
  order: string;
}

/**
 * The training filters: each joins what it needs and brings its own order (by loss or by
 * confidence), which replaces the grid's sort. Null for the library's own filters.
 */
function trainingFilter(f: PhotoFilter, parts: string[], params: Record<string, unknown>): Pick<SqlQuery, 'from' | 'order'> | null {
  switch (f.kind) {
    case 'mistakes':
    case 'confusion':
      params.runId = f.runId;
      // A mistake is a validation photo the model got wrong: the same count the run shows.
      if (f.kind === 'mistakes') parts.push('x.true_index <> x.predicted_index');
      if (f.kind === 'confusion') {
        parts.push('x.true_index = @trueIndex AND x.predicted_index = @predictedIndex');
        Object.assign(params, { trueIndex: f.trueIndex, predictedIndex: f.predictedIndex });
      }
      return { from: `${FROM} ${EXAMPLES}`, order: 'x.rank, p.id' };
    case 'suggested':
      parts.push('sp.class_id = @classId');
      params.classId = f.classId;
      return { from: FROM, order: 'sp.confidence DESC, p.id' };
    case 'uncertain':
      parts.push('sp.class_id IS NOT NULL');
      return { from: FROM, order: 'sp.confidence, p.id' };
    default:
      return null;
  }
}

function whereClause(query: PhotoQuery): SqlQuery {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  const f = query.filter;
  const training = trainingFilter(f, parts, params);
  if (f.kind === 'skipped') parts.push("p.status = 'skipped'");
  else parts.push("p.status = 'ok'");
  if (f.kind === 'unlabeled') parts.push('l.class_id IS NULL');
  if (f.kind === 'labeled') parts.push('l.class_id IS NOT NULL');
  if (f.kind === 'accepted') parts.push("l.source = 'model'");
  if (f.kind === 'class') {
    parts.push('l.class_id = @classId');
    params.classId = f.classId;
  }
  if (f.kind === 'split') {
    parts.push('p.split = @split');
    params.split = f.split;
  }
  if (query.search.trim() !== '') {
    // LIKE is case-insensitive for ASCII; wildcards typed by the user are matched literally.
    parts.push("p.name LIKE @search ESCAPE '\\'");
    params.search = `%${query.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  return { from: training?.from ?? FROM, where: parts.join(' AND '), params, order: training?.order ?? ORDER_BY[query.sort] };
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
