/**
 * Server time of requests, measured at the App's dispatch (validation + handler + answer), the
 * part every transport shares. Each figure is the median of several calls after one warm-up.
 * The handlers run synchronously on this thread, so the process's CPU time over a call is its
 * server time; unlike wall time it does not grow when other programs share the cores.
 */
import type { Channel, PhotoFilter, PhotoSort, RequestIn } from '../../src/shared/contract';
import type { App } from '../../src/main/services/app';

export async function timeOnce<C extends Channel>(app: App, channel: C, req?: RequestIn<C>): Promise<number> {
  const started = process.cpuUsage();
  const envelope = await app.dispatch(channel, req);
  const used = process.cpuUsage(started);
  const ms = (used.user + used.system) / 1000;
  if (!envelope.ok) throw new Error(`${channel} failed: ${envelope.error.code} ${envelope.error.message}`);
  return ms;
}

export async function medianMs<C extends Channel>(app: App, channel: C, req?: RequestIn<C>, reps = 7): Promise<number> {
  await timeOnce(app, channel, req);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await timeOnce(app, channel, req));
  return median(times);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A grid query the bench times, with the total it matches (for choosing offsets). */
export interface GridCase {
  name: string;
  filter: PhotoFilter;
  sort: PhotoSort;
  search?: string;
}

/** Every filter the grid offers, each with the sorts it honours (training filters bring their own order). */
export function gridCases(classIds: number[], runId: number): GridCase[] {
  const cases: GridCase[] = [];
  const libraryFilters: Array<[string, PhotoFilter]> = [
    ['all', { kind: 'all' }],
    ['unlabeled', { kind: 'unlabeled' }],
    ['labeled', { kind: 'labeled' }],
    ['class', { kind: 'class', classId: classIds[0] }],
    ['split val', { kind: 'split', split: 'val' }],
    ['skipped', { kind: 'skipped' }]
  ];
  for (const [name, filter] of libraryFilters) {
    for (const sort of ['name', 'date', 'class'] as const) cases.push({ name: `${name} / ${sort}`, filter, sort });
  }
  cases.push({ name: 'all / name, search "_0012"', filter: { kind: 'all' }, sort: 'name', search: '_0012' });
  cases.push({ name: 'unlabeled / name, search "9"', filter: { kind: 'unlabeled' }, sort: 'name', search: '9' });
  cases.push({ name: 'mistakes', filter: { kind: 'mistakes', runId }, sort: 'name' });
  cases.push({ name: 'confusion 0→1', filter: { kind: 'confusion', runId, trueIndex: 0, predictedIndex: 1 }, sort: 'name' });
  cases.push({ name: 'suggested', filter: { kind: 'suggested', classId: classIds[0] }, sort: 'name' });
  cases.push({ name: 'uncertain', filter: { kind: 'uncertain' }, sort: 'name' });
  return cases;
}

export const PAGE = 200;

/** Median ms of a page at the start, the middle and the end of the query; the worst of them. */
export async function pageLatency(app: App, c: GridCase): Promise<{ total: number; first: number; middle: number; last: number }> {
  const base = { filter: c.filter, sort: c.sort, search: c.search ?? '', limit: PAGE };
  const envelope = await app.dispatch('photos:page', { ...base, offset: 0 });
  if (!envelope.ok) throw new Error(`photos:page failed: ${envelope.error.message}`);
  const total = (envelope.data as { total: number }).total;
  const at = (offset: number) => medianMs(app, 'photos:page', { ...base, offset }, 5);
  const middle = Math.max(0, Math.floor(total / 2 / PAGE) * PAGE);
  const last = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
  return { total, first: await at(0), middle: await at(middle), last: await at(last) };
}
