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
}

const COLUMNS = `p.id, p.folder_id, p.rel_path, p.name, p.size, p.mtime, p.width, p.height, p.split,
  p.status, p.error, l.class_id, l.source`;
const FROM = 'FROM photos p LEFT JOIN labels l ON l.photo_id = p.id LEFT JOIN classes c ON c.id = l.class_id';

/** Sort orders; each ends in p.id so paging is stable. Names sort case-insensitively. */
const ORDER_BY: Record<PhotoSort, string> = {
  name: 'p.name COLLATE NOCASE, p.id',
  date: 'p.mtime, p.id',
  // Unlabeled photos come after every class, classes in panel order.
  class: 'c.position IS NULL, c.position, p.name COLLATE NOCASE, p.id'
};

export function pagePhotos(db: Database, query: PhotoQuery, offset: number, limit: number): PhotoPage {
  const { where, params } = whereClause(query);
  const { n } = db.prepare(`SELECT COUNT(*) AS n ${FROM} WHERE ${where}`).get(params) as { n: number };
  const rows = db
    .prepare(`SELECT ${COLUMNS} ${FROM} WHERE ${where} ORDER BY ${ORDER_BY[query.sort]} LIMIT @limit OFFSET @offset`)
    .all({ ...params, limit, offset }) as PhotoRow[];
  return { total: n, offset, items: rows.map(toDto) };
}

/** Every id matching the query in grid order (select-all, keyboard navigation). */
export function photoIds(db: Database, query: PhotoQuery): number[] {
  const { where, params } = whereClause(query);
  return db
    .prepare(`SELECT p.id ${FROM} WHERE ${where} ORDER BY ${ORDER_BY[query.sort]}`)
    .pluck()
    .all(params) as number[];
}

export function getPhoto(db: Database, id: number): PhotoDto | null {
  const row = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE p.id = ?`).get(id) as PhotoRow | undefined;
  return row ? toDto(row) : null;
}

function whereClause(query: PhotoQuery): { where: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  const f = query.filter;
  if (f.kind === 'skipped') parts.push("p.status = 'skipped'");
  else parts.push("p.status = 'ok'");
  if (f.kind === 'unlabeled') parts.push('l.class_id IS NULL');
  if (f.kind === 'labeled') parts.push('l.class_id IS NOT NULL');
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
  return { where: parts.join(' AND '), params };
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
    labelSource: row.source
  };
}
