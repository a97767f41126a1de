/**
 * One label plus the refresh the renderer asks for after it, in server time: the change itself
 * and exactly the requests the renderer then makes. The renderer applies the change's delta
 * (counts and the changed tiles) in place and refetches its visible pages (two of 200) only when
 * the grid's filter or order depends on labels; this module replays that for three ways of
 * working, and also the full refresh the renderer asked for before issue 16, for comparison.
 */
import type { Channel, PhotoFilter, RequestIn } from '../../src/shared/contract';
import type { App } from '../../src/main/services/app';
import { median, PAGE, timeOnce } from './latency';

export interface Scenario {
  name: string;
  filter: PhotoFilter;
  /** Grid index of the first visible page. */
  at: 'top' | 'middle';
  /** The change: a label with the hotkey, or accepting the model's suggestion. */
  change: 'label' | 'accept';
}

export function scenarios(): Scenario[] {
  return [
    { name: 'label in All photos (by name, middle of the grid)', filter: { kind: 'all' }, at: 'middle', change: 'label' },
    { name: 'label-and-advance in Unlabeled (middle of the grid)', filter: { kind: 'unlabeled' }, at: 'middle', change: 'label' },
    { name: 'accept a suggestion in Least certain (top)', filter: { kind: 'uncertain' }, at: 'top', change: 'accept' }
  ];
}

type Call = { channel: Channel; req?: unknown };

/** Filters and orders whose membership or order a label changes: the renderer refetches their visible pages. */
export function dependsOnLabels(filter: PhotoFilter, sort: string): boolean {
  return sort === 'class' || ['unlabeled', 'labeled', 'class', 'suggested', 'uncertain'].includes(filter.kind);
}

export interface LabelRefreshFigures {
  /** Median and worst server ms of change + refresh over the repetitions. */
  median: number;
  worst: number;
  /** The same change followed by the pre-issue-16 full refresh, median ms. */
  fullRefresh: number;
}

export async function labelRefresh(app: App, s: Scenario, classIds: number[], reps = 15): Promise<LabelRefreshFigures> {
  const total = await pageTotal(app, s.filter);
  const offset = s.at === 'top' ? 0 : Math.floor(total / 2 / PAGE) * PAGE;
  const pages: Call[] = [0, PAGE].map((d) => ({
    channel: 'photos:page',
    req: { filter: s.filter, sort: 'name', offset: offset + d, limit: PAGE }
  }));
  const targets = await firstIds(app, s.filter, offset, reps * 2 + 2);
  let next = 0;
  // Each variant in a block of its own, after one warm-up, as the other figures are taken: when
  // they alternated, the old refresh's garbage (four times as many objects) set off the GC
  // scavenges (~6 ms) that then landed in today's repetitions.
  const times = async (refresh: Call[]): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const id = targets[next++];
      const change: Call =
        s.change === 'accept'
          ? { channel: 'predictions:accept', req: { photoIds: [id] } }
          : { channel: 'labels:assign', req: { photoIds: [id], classId: classIds[next % classIds.length] } };
      let ms = await run(app, change);
      for (const call of refresh) ms += await run(app, call);
      if (i > 0) out.push(ms);
    }
    return out;
  };
  const timesNew = await times(dependsOnLabels(s.filter, 'name') ? pages : []);
  const timesOld = await times(fullRefresh(pages, classIds));
  return { median: median(timesNew), worst: Math.max(...timesNew), fullRefresh: median(timesOld) };
}

/** What the renderer refetched after every label before issue 16 (sync.ts refreshNow). */
function fullRefresh(pages: Call[], classIds: number[]): Call[] {
  return [
    { channel: 'classes:list' },
    { channel: 'stats:get' },
    { channel: 'folders:list' },
    ...pages,
    { channel: 'predictions:list', req: { limit: 1 } },
    ...classIds.map((classId) => ({ channel: 'predictions:list' as const, req: { classId, limit: 1 } }))
  ];
}

function run(app: App, call: Call): Promise<number> {
  return timeOnce(app, call.channel, call.req as RequestIn<Channel>);
}

async function pageTotal(app: App, filter: PhotoFilter): Promise<number> {
  const envelope = await app.dispatch('photos:page', { filter, sort: 'name', offset: 0, limit: 1 });
  if (!envelope.ok) throw new Error(envelope.error.message);
  return (envelope.data as { total: number }).total;
}

/** Photos to change, taken from the visible part of the grid (each is changed once). */
async function firstIds(app: App, filter: PhotoFilter, offset: number, count: number): Promise<number[]> {
  const envelope = await app.dispatch('photos:page', { filter, sort: 'name', offset, limit: count });
  if (!envelope.ok) throw new Error(envelope.error.message);
  return (envelope.data as { items: Array<{ id: number }> }).items.map((p) => p.id);
}
