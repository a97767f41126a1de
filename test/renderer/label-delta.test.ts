/**
 * Labels at keyboard speed cost no refresh: a change's answer (and its 'library:changed' event)
 * carries the counts it moved and the changed photos, which the renderer applies in place. Only
 * a grid whose filter depends on labels refetches its visible page, never more than once at a
 * time however fast the labels come.
 */
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Channel } from '../../src/shared/contract';
import type { LabelDelta } from '../../src/shared/dto';
import { setTransport } from '../../src/renderer/api';
import { useClassesStore } from '../../src/renderer/stores/classes';
import { useLibraryStore } from '../../src/renderer/stores/library';
import { useProjectStore } from '../../src/renderer/stores/project';
import { startSync } from '../../src/renderer/stores/sync';
import LibraryView from '../../src/renderer/views/LibraryView.vue';
import { antsAndBees, createFakeBackend, giveElementsSize, resetFakeHistory, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;
let stopSync: () => void;
/** Page requests in flight now, and the most there ever were at once. */
const pages = { inFlight: 0, most: 0 };

function press(key: string): void {
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
}

/** Page requests answer after `ms`, as a busy main side would; the rest answer at once. */
function slowPages(ms: number): void {
  const invoke = backend.transport.invoke.bind(backend.transport);
  backend.transport.invoke = async (channel: Channel, req: unknown) => {
    if (channel !== 'photos:page') return invoke(channel, req);
    pages.inFlight++;
    pages.most = Math.max(pages.most, pages.inFlight);
    await new Promise((r) => setTimeout(r, ms));
    pages.inFlight--;
    return invoke(channel, req);
  };
}

/** Labels the focused photo with class 1 and moves on, `n` times, one key every 60 ms. */
async function labelAtKeyboardSpeed(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    press('1');
    press('ArrowRight');
    await new Promise((r) => setTimeout(r, 60));
  }
}

const countRequests: Channel[] = ['stats:get', 'folders:list', 'classes:list', 'predictions:list'];

describe('label changes applied in place', () => {
  beforeAll(() => giveElementsSize(1000, 700));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    pages.inFlight = pages.most = 0;
    backend = createFakeBackend(100, antsAndBees());
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    wrapper = mount(LibraryView, { props: { helpOpen: false }, global: { plugins: [pinia] }, attachTo: document.body });
    stopSync = startSync();
    await useProjectStore().load();
    await useClassesStore().load();
    await settle();
    press('ArrowRight');
    press('ArrowLeft');
    await settle(10);
  });
  afterEach(() => {
    stopSync();
    wrapper.unmount();
  });

  it('updates the counts and the tiles from the answers, asking for nothing else', async () => {
    backend.calls.length = 0;
    await labelAtKeyboardSpeed(8);
    await settle(100);
    expect(backend.callsOf('labels:assign')).toHaveLength(8);
    for (const channel of [...countRequests, 'photos:page' as const]) expect(backend.callsOf(channel)).toEqual([]);
    expect(useProjectStore().stats).toMatchObject({ labeled: 8, unlabeled: 92 });
    expect(useClassesStore().classes.find((c) => c.name === 'ants')?.count).toBe(8);
    expect(wrapper.get('[data-photo-id="8"]').attributes('data-label')).toBe('ants');
  });

  it('in Unlabeled, refetches the visible page once at a time however fast the labels come', async () => {
    useLibraryStore().setQuery({ filter: { kind: 'unlabeled' } });
    await settle();
    slowPages(150);
    backend.calls.length = 0;
    // Label-and-advance in the grid: the labeled photo leaves the filter, the next one slides in.
    for (let i = 0; i < 10; i++) {
      press('1');
      await new Promise((r) => setTimeout(r, 60));
    }
    await settle(600);
    for (const channel of countRequests) expect(backend.callsOf(channel)).toEqual([]);
    expect(pages.most).toBe(1);
    expect(backend.callsOf('photos:page').length).toBeLessThan(10);
    // A key pressed before the refetch landed relabels the same photo (no change); the rest moved on.
    const labeled = useProjectStore().stats?.labeled ?? 0;
    expect(labeled).toBeGreaterThanOrEqual(3);
    expect(labeled).toBe(backend.photos.filter((p) => p.classId !== null).length);
    expect(useLibraryStore().total).toBe(100 - labeled);
  });

  it('applies a change announced by another window, and ignores one older than what it shows', async () => {
    const photo = { ...backend.photos[2], classId: 2, labelSource: 'user' as const };
    const stats = { photos: 100, labeled: 1, unlabeled: 99, acceptedFromModel: 0, skipped: 0, classes: {}, splits: {} };
    const delta = (seq: number, labeled: number): LabelDelta => ({
      seq,
      photos: [photo],
      counts: {
        stats: { ...stats, labeled, unlabeled: 100 - labeled },
        classes: { 1: 0, 2: labeled },
        suggestions: { total: 0, byClass: {} }
      }
    });
    backend.emit('library:changed', { reason: 'labels', delta: delta(1_000_000, 1) });
    await settle(10);
    expect(wrapper.get('[data-photo-id="3"]').attributes('data-label')).toBe('bees');
    expect(useProjectStore().stats?.labeled).toBe(1);
    backend.emit('library:changed', { reason: 'labels', delta: delta(999_999, 7) });
    await settle(10);
    expect(useProjectStore().stats?.labeled).toBe(1);
    expect(useClassesStore().classes.find((c) => c.name === 'bees')?.count).toBe(1);
  });

  it('keeps a change another window announced while a refresh was reading the counts: the older answer does not win', async () => {
    // stats:get answers what the counts were when it was asked, after a while (a busy main side).
    const invoke = backend.transport.invoke.bind(backend.transport);
    backend.transport.invoke = async (channel: Channel, req: unknown) => {
      const answer = await invoke(channel, req);
      if (channel === 'stats:get') await new Promise((r) => setTimeout(r, 80));
      return answer;
    };
    const before = useProjectStore().stats?.labeled ?? 0;
    backend.calls.length = 0;
    backend.emit('library:changed', { reason: 'folders' });
    // The refresh has asked for the counts (and got its answer, still on its way back).
    await vi.waitFor(() => expect(backend.callsOf('stats:get')).toHaveLength(1));
    const photo = backend.photos.find((p) => p.classId === null) as (typeof backend.photos)[number];
    photo.classId = 2;
    const labeled = backend.photos.filter((p) => p.classId !== null).length;
    expect(labeled).toBe(before + 1);
    const stats = { photos: 100, labeled, unlabeled: 100 - labeled, acceptedFromModel: 0, skipped: 0, classes: {}, splits: {} };
    backend.emit('library:changed', {
      reason: 'labels',
      delta: { seq: 3_000_000, photos: [{ ...photo }], counts: { stats, classes: { 1: 0, 2: 1 }, suggestions: { total: 0, byClass: {} } } }
    });
    await settle(400);
    expect(useProjectStore().stats?.labeled).toBe(labeled);
    expect(backend.callsOf('stats:get')).toHaveLength(2);
  });

  it('fetches the visible page again when a change was too large to carry its photos', async () => {
    for (const p of backend.photos) p.classId = 1;
    backend.calls.length = 0;
    const counts = { stats: { photos: 100, labeled: 100, unlabeled: 0, skipped: 0, classes: {}, splits: {} }, classes: { 1: 100, 2: 0 } };
    backend.emit('library:changed', {
      reason: 'labels',
      delta: { seq: 2_000_000, photos: null, counts: { ...counts, suggestions: { total: 0, byClass: {} } } }
    });
    await settle(100);
    expect(backend.callsOf('photos:page')).toHaveLength(1);
    for (const channel of countRequests) expect(backend.callsOf(channel)).toEqual([]);
    expect(wrapper.get('[data-photo-id="5"]').attributes('data-label')).toBe('ants');
  });

  it('fetches everything again when a label was not saved', async () => {
    backend.failing.set('labels:assign', { code: 'IO_ERROR', message: 'The disk is full.' });
    backend.calls.length = 0;
    press('1');
    await settle(150);
    expect(backend.callsOf('stats:get')).toHaveLength(1);
    expect(wrapper.get('[data-photo-id="1"]').attributes('data-label')).toBe('');
  });
});
