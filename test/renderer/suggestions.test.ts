/** Suggestions in the grid and the preview: shown on thumbnails, Enter accepts, 0 turns down, Accept all above N%. */
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import { useClassesStore } from '../../src/renderer/stores/classes';
import { useLibraryStore } from '../../src/renderer/stores/library';
import { useProjectStore } from '../../src/renderer/stores/project';
import { useSuggestionsStore } from '../../src/renderer/stores/suggestions';
import LibraryView from '../../src/renderer/views/LibraryView.vue';
import { antsAndBees, createFakeBackend, giveElementsSize, resetFakeHistory, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;

function press(key: string): void {
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
}

function tile(index: number) {
  return wrapper.get(`[data-testid="photo-tile"][data-index="${index}"]`);
}

describe('suggestions in the library', () => {
  beforeAll(() => giveElementsSize(1000, 700));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(20, antsAndBees());
    // Photos 1–4 carry a suggestion: bees 97%, ants 62%, bees 91%, ants 40%.
    const suggested: [number, number][] = [
      [2, 0.97],
      [1, 0.62],
      [2, 0.91],
      [1, 0.4]
    ];
    suggested.forEach(([classId, confidence], i) => (backend.photos[i].suggestion = { classId, confidence }));
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    wrapper = mount(LibraryView, { props: { helpOpen: false }, global: { plugins: [pinia] }, attachTo: document.body });
    await useProjectStore().load();
    await useClassesStore().load();
    await settle();
  });
  afterEach(() => wrapper.unmount());

  it('shows the suggested class and confidence on unlabeled thumbnails', () => {
    expect(tile(0).get('[data-testid="tile-suggestion"]').text()).toBe('bees 97%?');
    expect(tile(0).attributes('data-suggested')).toBe('bees');
    expect(tile(0).attributes('aria-label')).toContain('suggested bees 97%');
    expect(tile(4).find('[data-testid="tile-suggestion"]').exists()).toBe(false);
  });

  it('Enter on a suggestion accepts it as a label; Enter elsewhere still opens the preview', async () => {
    press('Enter');
    await settle();
    expect(backend.callsOf('predictions:accept')).toEqual([{ photoIds: [1] }]);
    expect(backend.photos[0]).toMatchObject({ classId: 2, labelSource: 'model' });
    expect(tile(0).attributes('data-label')).toBe('bees');
    for (let i = 0; i < 4; i++) press('ArrowRight');
    press('Enter');
    await settle();
    expect(wrapper.find('[data-testid="preview"]').exists()).toBe(true);
  });

  it('0 on a suggestion turns it down and leaves the photo unlabeled', async () => {
    press('ArrowRight');
    press('0');
    await settle();
    expect(backend.callsOf('predictions:reject')).toEqual([{ photoIds: [2] }]);
    expect(backend.callsOf('labels:assign')).toEqual([]);
    expect(tile(1).find('[data-testid="tile-suggestion"]').exists()).toBe(false);
    expect(backend.photos[1].classId).toBeNull();
  });

  it('in the preview, Enter accepts and moves on to the next photo', async () => {
    press(' ');
    await settle();
    expect(wrapper.get('[data-testid="preview-suggestion"]').text()).toBe('Suggested: bees 97%');
    press('Enter');
    await settle();
    expect(backend.photos[0].classId).toBe(2);
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe('2');
  });

  it('"Accept all at or above" accepts only the suggestions that reach the threshold', async () => {
    useLibraryStore().setQuery({ filter: { kind: 'uncertain' } });
    await settle();
    expect(wrapper.get('[data-testid="filter-context-title"]').text()).toBe('Least certain first');
    await wrapper.get('[data-testid="accept-threshold"]').setValue('90');
    await settle();
    await wrapper.get('[data-testid="accept-all"]').trigger('submit');
    await settle();
    await wrapper.get('[data-testid="accept-confirm-submit"]').trigger('click');
    await settle();
    expect(backend.callsOf('predictions:accept')).toEqual([{ minConfidence: 0.9 }]);
    expect(backend.photos.slice(0, 4).map((p) => p.classId)).toEqual([2, null, 2, null]);
    await useSuggestionsStore().refreshCounts();
    expect(useSuggestionsStore().counts).toEqual({ total: 2, byClass: { 1: 2, 2: 0 } });
  });
});
