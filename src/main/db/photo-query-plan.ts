/**
 * Which photo ids a grid query matches, in grid order, and how many. Every filter and order is a
 * walk along one index (see migration 0006 and 0007), so a page costs its offset in index steps
 * and its own rows, never a sort or a per-photo probe of another table. Totals come from the
 * counts the database keeps (photo_counts, suggestion_counts) whenever no name search narrows.
 */
import type { PhotoFilter, PhotoSort } from '../../shared/contract';
import type { Database } from './database';
import { suggestionTotal } from './stats-repository';

/** A grid query: which photos, which name substring, in which order. */
export interface PhotoQuery {
  filter: PhotoFilter;
  /** Case-insensitive substring of the file name; '' matches all. */
  search: string;
  sort: PhotoSort;
}

type Params = Record<string, unknown>;

/** A query over photos `p` alone (label filters read the label mirrored into photos). */
interface Scope {
  where: string[];
  params: Params;
}

/** Where a library filter's photos are counted in photo_counts. */
interface CountScope {
  status: string;
  split?: string;
  /** Which label classes belong: every one, only unlabeled (0), only labeled, or one class. */
  labels: 'all' | 'unlabeled' | 'labeled' | number;
}

export interface IdWindow {
  offset: number;
  /** Null: to the end. */
  limit: number | null;
}

/** Ids of the query in grid order within `window`, and the number of matches over all pages. */
export function queryIds(db: Database, query: PhotoQuery, window: IdWindow): { ids: number[]; total: number } {
  const training = trainingSql(db, query);
  if (training)
    return runIds(db, training.sql, training.params, window, training.total ?? (() => countOf(db, training.sql, training.params)));
  const { scope, counts } = libraryScope(query);
  const total = () =>
    counts ? countedTotal(db, counts) : countOf(db, `SELECT p.id FROM photos p WHERE ${scope.where.join(' AND ')}`, scope.params);
  if (query.sort === 'class' && counts) return classOrderIds(db, scope, counts, window);
  const order = query.sort === 'date' ? 'p.mtime, p.id' : query.sort === 'class' ? CLASS_ORDER : 'p.name COLLATE NOCASE, p.id';
  const from = query.sort === 'class' ? 'photos p LEFT JOIN classes c ON c.id = p.label_class_id' : 'photos p';
  return runIds(db, `SELECT p.id FROM ${from} WHERE ${scope.where.join(' AND ')} ORDER BY ${order}`, scope.params, window, total);
}

/** Unlabeled photos come after every class, classes in panel order. */
const CLASS_ORDER = 'c.position IS NULL, c.position, p.name COLLATE NOCASE, p.id';

function libraryScope(query: PhotoQuery): { scope: Scope; counts: CountScope | null } {
  const f = query.filter;
  const status = f.kind === 'skipped' ? 'skipped' : 'ok';
  const scope: Scope = { where: ['p.status = @status'], params: { status } };
  const counts: CountScope = { status, labels: 'all' };
  // Labels accepted from the model are not among the kept counts: that filter is counted by query.
  const kept = f.kind !== 'accepted';
  if (f.kind === 'unlabeled') {
    scope.where.push('p.label_class_id IS NULL');
    counts.labels = 'unlabeled';
  } else if (f.kind === 'labeled') {
    scope.where.push('p.label_class_id IS NOT NULL');
    counts.labels = 'labeled';
  } else if (f.kind === 'accepted') {
    scope.where.push("p.label_class_id IS NOT NULL AND EXISTS (SELECT 1 FROM labels l WHERE l.photo_id = p.id AND l.source = 'model')");
  } else if (f.kind === 'class') {
    scope.where.push('p.label_class_id = @classId');
    scope.params.classId = f.classId;
    counts.labels = f.classId;
  } else if (f.kind === 'split') {
    scope.where.push('p.split = @split');
    scope.params.split = f.split;
    counts.split = f.split;
  }
  const searching = addSearch(scope, query.search);
  return { scope, counts: searching || !kept ? null : counts };
}

/** LIKE is case-insensitive for ASCII; wildcards typed by the user are matched literally. */
function addSearch(scope: Scope, search: string): boolean {
  const text = search.trim();
  if (text === '') return false;
  scope.where.push("p.name LIKE @search ESCAPE '\\'");
  scope.params.search = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return true;
}

/** Photos per label class (0 = unlabeled) within a scope, from the maintained counts. */
function classCountsIn(db: Database, scope: CountScope): Map<number, number> {
  const rows = db
    .prepare(
      `SELECT class_id, SUM(n) FROM photo_counts WHERE status = @status ${scope.split === undefined ? '' : 'AND split = @split'}
       GROUP BY class_id HAVING SUM(n) > 0`
    )
    .raw()
    .all({ status: scope.status, split: scope.split }) as Array<[number, number]>;
  const wanted = (cls: number): boolean =>
    scope.labels === 'all' || (scope.labels === 'unlabeled' ? cls === 0 : scope.labels === 'labeled' ? cls !== 0 : cls === scope.labels);
  return new Map(rows.filter(([cls]) => wanted(cls)));
}

function countedTotal(db: Database, scope: CountScope): number {
  return sumOf(classCountsIn(db, scope));
}

/**
 * Sort by class: the classes in panel order, then the unlabeled, each by name. The counts say
 * which classes the window reaches, so only those are read, each from its own index range.
 */
function classOrderIds(db: Database, scope: Scope, counts: CountScope, window: IdWindow): { ids: number[]; total: number } {
  const perClass = classCountsIn(db, counts);
  const order = db.prepare('SELECT id FROM classes ORDER BY position, id').pluck().all() as number[];
  const segments = [...order.filter((id) => perClass.has(id)), ...(perClass.has(0) ? [0] : [])];
  const total = sumOf(perClass);
  const stmt = db.prepare(
    `SELECT p.id FROM photos p WHERE ${scope.where.join(' AND ')} AND p.label_class_id IS @segment
     ORDER BY p.name COLLATE NOCASE, p.id LIMIT @limit OFFSET @offset`
  );
  const ids: number[] = [];
  let skip = window.offset;
  let want = window.limit ?? Number.MAX_SAFE_INTEGER;
  for (const cls of segments) {
    const n = perClass.get(cls) as number;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    const got = stmt.pluck().all({ ...scope.params, segment: cls === 0 ? null : cls, offset: skip, limit: Math.min(want, n) }) as number[];
    ids.push(...got);
    want -= got.length;
    skip = 0;
    if (want <= 0) break;
  }
  return { ids, total };
}

function sumOf(counts: Map<number, number>): number {
  let total = 0;
  for (const n of counts.values()) total += n;
  return total;
}

function runIds(db: Database, sql: string, params: Params, window: IdWindow, total: () => number): { ids: number[]; total: number } {
  const paged = window.limit === null ? sql : `${sql} LIMIT @limit OFFSET @offset`;
  const ids = db
    .prepare(paged)
    .pluck()
    .all(window.limit === null ? params : { ...params, limit: window.limit, offset: window.offset }) as number[];
  return { ids, total: total() };
}

function countOf(db: Database, idSql: string, params: Params): number {
  return db.prepare(`SELECT COUNT(*) FROM (${idSql})`).pluck().get(params) as number;
}

interface TrainingSql {
  sql: string;
  params: Params;
  /** The total from suggestion_counts, when no search narrows the suggestions. */
  total?: () => number;
}

/**
 * The training filters bring their own order (by loss or by confidence), which replaces the
 * grid's sort. Null for the library's own filters.
 */
function trainingSql(db: Database, query: PhotoQuery): TrainingSql | null {
  const f: PhotoFilter = query.filter;
  const scope: Scope = { where: ["p.status = 'ok'"], params: {} };
  const searching = addSearch(scope, query.search);
  const suggestions = (classId?: number) => (searching ? undefined : () => suggestionTotal(db, activeRun(db), classId));
  const where = scope.where.join(' AND ');
  switch (f.kind) {
    case 'mistakes':
    case 'confusion': {
      // A mistake is a validation photo the model got wrong: the same count the run shows.
      const cell =
        f.kind === 'confusion'
          ? 'AND x.true_index = @trueIndex AND x.predicted_index = @predictedIndex'
          : 'AND x.true_index <> x.predicted_index';
      const params = f.kind === 'confusion' ? { trueIndex: f.trueIndex, predictedIndex: f.predictedIndex } : {};
      return {
        sql: `SELECT p.id FROM training_examples x JOIN photos p ON p.id = x.photo_id WHERE x.run_id = @runId ${cell} AND ${where} ORDER BY x.rank`,
        params: { ...scope.params, ...params, runId: f.runId }
      };
    }
    // is_suggestion (kept by triggers, migration 0006) already means: readable, unlabeled, not turned down.
    case 'suggested':
      return {
        sql: `SELECT sp.photo_id AS id FROM training_predictions sp ${searching ? 'JOIN photos p ON p.id = sp.photo_id' : ''}
              WHERE sp.run_id = @runId AND sp.class_id = @classId AND sp.is_suggestion = 1 ${searching ? `AND ${where}` : ''}
              ORDER BY sp.confidence DESC, sp.photo_id`,
        params: { ...scope.params, runId: activeRun(db), classId: f.classId },
        total: suggestions(f.classId)
      };
    case 'uncertain':
      return {
        sql: `SELECT sp.photo_id AS id FROM training_predictions sp ${searching ? 'JOIN photos p ON p.id = sp.photo_id' : ''}
              WHERE sp.run_id = @runId AND sp.is_suggestion = 1 ${searching ? `AND ${where}` : ''} ORDER BY sp.confidence, sp.photo_id`,
        params: { ...scope.params, runId: activeRun(db) },
        total: suggestions()
      };
    default:
      return null;
  }
}

/** The active model's run, or -1 (matches nothing) when there is none. */
function activeRun(db: Database): number {
  return (db.prepare('SELECT run_id FROM training_models WHERE active = 1').pluck().get() as number | undefined) ?? -1;
}
