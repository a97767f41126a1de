/**
 * Labels never go to photos the person cannot see (issue 12, point 1): after a selection is
 * labeled in a filtered view, the photos that leave the view leave the selection, and the next
 * key acts on the focused photo. The same for accepting and turning down suggestions, and for an
 * undo that takes photos out of the view.
 */
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PhotoFilter } from '../../src/shared/contract';
import { setTransport } from '../../src/renderer/api';
import { leavesFilter } from '../../src/renderer/lib/selection-rules';
import { useClassesStore } from '../../src/renderer/stores/classes';
import { useLibraryStore } from '../../src/renderer/stores/library';
import { useProjectStore } from '../../src/renderer/stores/project';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import LibraryView from '../../src/renderer/views/LibraryView.vue';
import { antsAndBees, createFakeBackend, giveElementsSize, resetFakeHistory, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;
const ANTS = 1;
const BEES = 2;

function press(key: string, mods: Partial<KeyboardEventInit> = {}): void {
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...mods }));
}

async function show(filter: PhotoFilter): Promise<void> {
  useSelectionStore().reset();
  useLibraryStore().setQuery({ filter });
  await settle();
}

/** Ctrl-clicks the tiles at these grid indices (a selection of several photos). */
async function selectTiles(indices: number[]): Promise<void> {
  for (const i of indices) {
    await wrapper.get(`[data-testid="photo-tile"][data-index="${i}"]`).trigger('click', { ctrlKey: true });
    await settle(10);
  }
}

function labelOf(id: number): number | null {
  return backend.photos.find((p) => p.id === id)?.classId ?? null;
}

describe('selection and filters', () => {
  beforeAll(() => giveElementsSize(1000, 700));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(20, antsAndBees());
    // Photos 1–6 carry a suggestion.
    [0.5, 0.6, 0.7, 0.8, 0.9, 0.95].forEach((confidence, i) => (backend.photos[i].suggestion = { classId: ANTS, confidence }));
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    wrapper = mount(LibraryView, { props: { helpOpen: false }, global: { plugins: [pinia] }, attachTo: document.body });
    await useProjectStore().load();
    await useClassesStore().load();
    await settle();
  });
  afterEach(() => wrapper.unmount());

  it('in Unlabeled, a labeled selection leaves the selection: the next key labels the focused photo, not the hidden ones', async () => {
    await show({ kind: 'unlabeled' });
    await selectTiles([2, 3, 4]);
    expect(useSelectionStore().count).toBe(3);
    press('1');
    await settle();
    expect([3, 4, 5].map(labelOf)).toEqual([ANTS, ANTS, ANTS]);
    expect(useSelectionStore().count).toBe(0);
    expect(wrapper.get('[data-testid="grid-info"]').text()).not.toContain('selected');
    // Once the view has refetched, the next key labels the photo now at the focus (index 4), nothing hidden.
    await settle(300);
    expect(wrapper.get('[data-testid="photo-tile"][data-index="4"]').attributes('data-photo-id')).toBe('8');
    const focusedId = Number(wrapper.get('[data-testid="photo-tile"][data-index="4"]').attributes('data-photo-id'));
    press('2');
    await settle();
    expect([3, 4, 5].map(labelOf)).toEqual([ANTS, ANTS, ANTS]);
    expect(labelOf(focusedId)).toBe(BEES);
  });

  it('in a class view, photos relabeled to another class leave the selection; relabeled to the same class they stay', async () => {
    for (const p of backend.photos.slice(0, 6)) Object.assign(p, { classId: ANTS, labelSource: 'user' });
    await show({ kind: 'class', classId: ANTS });
    await selectTiles([0, 1]);
    press('1');
    await settle();
    expect(useSelectionStore().count).toBe(2);
    press('2');
    await settle();
    expect(useSelectionStore().count).toBe(0);
    expect([1, 2].map(labelOf)).toEqual([BEES, BEES]);
  });

  it('in Least certain first, accepting a selection with Enter drops it from the selection', async () => {
    await show({ kind: 'uncertain' });
    await selectTiles([0, 1, 2]);
    press('Enter');
    await settle();
    expect([1, 2, 3].map(labelOf)).toEqual([ANTS, ANTS, ANTS]);
    expect(useSelectionStore().count).toBe(0);
    await settle(300); // the view has refetched: photos 4–6 are left, the focus on the third
    press('2');
    await settle();
    expect([1, 2, 3].map(labelOf)).toEqual([ANTS, ANTS, ANTS]);
    expect(labelOf(6)).toBe(BEES);
  });

  it('turning a selection of suggestions down drops it from the selection', async () => {
    await show({ kind: 'uncertain' });
    await selectTiles([0, 1]);
    press('0');
    await settle();
    expect(backend.callsOf('predictions:reject')).toEqual([{ photoIds: [1, 2] }]);
    expect(useSelectionStore().count).toBe(0);
  });

  it('an undo that takes selected photos out of the view drops them from the selection', async () => {
    await show({ kind: 'all' });
    await selectTiles([0, 1]);
    press('1');
    await settle();
    await show({ kind: 'class', classId: ANTS });
    await selectTiles([0, 1]);
    expect(useSelectionStore().count).toBe(2);
    press('z', { ctrlKey: true });
    await settle();
    expect([1, 2].map(labelOf)).toEqual([null, null]);
    expect(useSelectionStore().count).toBe(0);
  });

  it('in All photos, a labeled selection stays selected (nothing left the view)', async () => {
    await selectTiles([0, 1, 2]);
    press('2');
    await settle();
    expect(useSelectionStore().count).toBe(3);
  });
});

describe('leavesFilter', () => {
  const label = (classId: number | null, source: 'user' | 'model' = 'user') => ({ kind: 'label' as const, classId, source });
  it('says which changes take a photo out of which view', () => {
    expect(leavesFilter({ kind: 'unlabeled' }, label(ANTS))).toBe(true);
    expect(leavesFilter({ kind: 'unlabeled' }, label(null))).toBe(false);
    expect(leavesFilter({ kind: 'labeled' }, label(null))).toBe(true);
    expect(leavesFilter({ kind: 'class', classId: ANTS }, label(ANTS))).toBe(false);
    expect(leavesFilter({ kind: 'class', classId: ANTS }, label(BEES))).toBe(true);
    expect(leavesFilter({ kind: 'accepted' }, label(ANTS, 'model'))).toBe(false);
    expect(leavesFilter({ kind: 'accepted' }, label(ANTS, 'user'))).toBe(true);
    expect(leavesFilter({ kind: 'uncertain' }, { kind: 'reject' })).toBe(true);
    expect(leavesFilter({ kind: 'suggested', classId: ANTS }, label(ANTS, 'model'))).toBe(true);
    expect(leavesFilter({ kind: 'all' }, label(ANTS))).toBe(false);
    expect(leavesFilter({ kind: 'mistakes', runId: 1 }, label(BEES))).toBe(false);
  });
});
