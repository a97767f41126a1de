/**
 * Bulk changes are visible and can be taken back (issue 12, point 5): "Accept all" says how many
 * photos it will label and asks first; labels accepted from the model look different from the
 * person's own and have their own filter; every bulk change's message has an Undo that undoes
 * exactly that change; an undo in the preview shows the photo it changed.
 */
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import NoticeList from '../../src/renderer/components/NoticeList.vue';
import { useClassesStore } from '../../src/renderer/stores/classes';
import { useLibraryStore } from '../../src/renderer/stores/library';
import { useProjectStore } from '../../src/renderer/stores/project';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import LibraryView from '../../src/renderer/views/LibraryView.vue';
import { antsAndBees, createFakeBackend, giveElementsSize, resetFakeHistory, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;
let notices: VueWrapper;
const ANTS = 1;
const BEES = 2;

function press(key: string, mods: Partial<KeyboardEventInit> = {}): void {
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...mods }));
}

function tile(index: number) {
  return wrapper.get(`[data-testid="photo-tile"][data-index="${index}"]`);
}

function labels(ids: number[]): Array<number | null> {
  return ids.map((id) => backend.photos.find((p) => p.id === id)?.classId ?? null);
}

function noticeTexts(): string[] {
  return notices.findAll('[data-testid="notice"]').map((n) => n.text());
}

/** Presses the Undo button of the notice whose text contains `text`. */
async function undoFrom(text: string): Promise<void> {
  const notice = notices.findAll('[data-testid="notice"]').find((n) => n.text().includes(text));
  if (!notice) throw new Error(`no notice with “${text}” among ${JSON.stringify(noticeTexts())}`);
  await notice.get('[data-testid="notice-action"]').trigger('click');
  await settle();
}

describe('bulk changes', () => {
  beforeAll(() => giveElementsSize(1000, 700));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(20, antsAndBees());
    const suggested: [number, number][] = [
      [BEES, 0.97],
      [ANTS, 0.62],
      [BEES, 0.91],
      [ANTS, 0.95]
    ];
    suggested.forEach(([classId, confidence], i) => (backend.photos[i].suggestion = { classId, confidence }));
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    wrapper = mount(LibraryView, { props: { helpOpen: false }, global: { plugins: [pinia] }, attachTo: document.body });
    notices = mount(NoticeList, { global: { plugins: [pinia] }, attachTo: document.body });
    await useProjectStore().load();
    await useClassesStore().load();
    await settle();
  });
  afterEach(() => {
    wrapper.unmount();
    notices.unmount();
  });

  it('"Accept all at or above" shows how many photos it will label, asks, and Cancel labels nothing', async () => {
    useLibraryStore().setQuery({ filter: { kind: 'uncertain' } });
    await settle();
    await wrapper.get('[data-testid="accept-threshold"]').setValue('90');
    await settle();
    expect(wrapper.get('[data-testid="accept-all"]').text()).toBe('Accept 3…');
    await wrapper.get('[data-testid="accept-all"]').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="accept-confirm"]').text()).toContain('Label 3 photos with the model’s suggestions?');
    expect(wrapper.get('[data-testid="accept-confirm-text"]').text()).toContain('(ants 1, bees 2)');
    await wrapper.get('[data-testid="accept-confirm"] button:not(.primary):not(.close)').trigger('click');
    await settle();
    expect(backend.callsOf('predictions:accept')).toEqual([]);
    expect(wrapper.find('[data-testid="accept-confirm"]').exists()).toBe(false);
  });

  it('accept all: the message has Undo, which takes exactly those labels back', async () => {
    useLibraryStore().setQuery({ filter: { kind: 'uncertain' } });
    await settle();
    await wrapper.get('[data-testid="accept-threshold"]').setValue('90');
    await settle();
    await wrapper.get('[data-testid="accept-all"]').trigger('submit');
    await settle();
    await wrapper.get('[data-testid="accept-confirm-submit"]').trigger('click');
    await settle();
    expect(labels([1, 2, 3, 4])).toEqual([BEES, null, BEES, ANTS]);
    await undoFrom('Labeled 3 photos with the model’s suggestions at 90% or more');
    expect(backend.callsOf('labels:undo')).toEqual([{ step: 1 }]);
    expect(labels([1, 2, 3, 4])).toEqual([null, null, null, null]);
    expect(noticeTexts().some((t) => t.includes('Undone: accepting the suggestions for 3 photos'))).toBe(true);
  });

  it('labeling a selection: the message says how many and as what, and its Undo restores the labels', async () => {
    for (const i of [5, 6, 7]) await tile(i).trigger('click', { ctrlKey: true });
    press('2');
    await settle();
    expect(labels([6, 7, 8])).toEqual([BEES, BEES, BEES]);
    await undoFrom('Labeled 3 photos as bees.');
    expect(labels([6, 7, 8])).toEqual([null, null, null]);
  });

  it('an Undo of a change that is no longer the last one undoes nothing and says why', async () => {
    for (const i of [5, 6]) await tile(i).trigger('click', { ctrlKey: true });
    press('1');
    await settle();
    useSelectionStore().clear();
    press('ArrowRight');
    press('2');
    await settle();
    await undoFrom('Labeled 2 photos as ants.');
    expect(labels([6, 7])).toEqual([ANTS, ANTS]);
    expect(notices.get('[data-testid="notice"][data-kind="error"]').text()).toContain('no longer the last one');
  });

  it('merging and deleting a class each announce themselves with an Undo that names the change', async () => {
    backend.photos[9].classId = ANTS;
    await useClassesStore().load();
    await useClassesStore().merge(ANTS, BEES);
    await settle();
    expect(noticeTexts().some((t) => t.includes('Merged “ants” into “bees”: 1 photo moved.') && t.includes('Undo'))).toBe(true);
    await useClassesStore().remove(BEES);
    await settle();
    expect(noticeTexts().some((t) => t.includes('Deleted the class “bees”') && t.includes('Undo'))).toBe(true);
  });

  it('labels accepted from the model look different from the person’s own and have their own filter', async () => {
    press('Enter'); // accepts photo 1's suggestion
    await settle();
    press('ArrowRight');
    press('ArrowRight');
    press('ArrowRight');
    press('ArrowRight');
    press('1'); // the person's own label on photo 5
    await settle(200);
    expect(tile(0).attributes('data-label-source')).toBe('model');
    expect(tile(0).find('[data-testid="tile-label-model"]').exists()).toBe(true);
    expect(tile(0).attributes('aria-label')).toContain('accepted from the model');
    expect(tile(4).attributes('data-label-source')).toBe('user');
    expect(tile(4).find('[data-testid="tile-label-model"]').exists()).toBe(false);
    await useProjectStore().refreshStats();
    await settle();
    const row = wrapper.get('[data-testid="filter-item"][data-filter="accepted"]');
    expect(row.text()).toContain('From the model');
    expect(row.attributes('aria-label')).toBe('Accepted from the model, 1');
    expect(row.text()).toContain('1');
    await row.trigger('click');
    await settle();
    expect(wrapper.findAll('[data-testid="photo-tile"]').map((t) => t.attributes('data-photo-id'))).toEqual(['1']);
    expect(backend.callsOf('photos:page').at(-1)).toMatchObject({ filter: { kind: 'accepted' } });
  });

  it('the preview says a label came from the model', async () => {
    press('Enter');
    await settle();
    press(' ');
    await settle();
    expect(wrapper.get('[data-testid="preview-label-source"]').text()).toContain('accepted from the model');
  });

  it('undo in the preview moves back to the photo it changed and says so', async () => {
    useLibraryStore().setQuery({ filter: { kind: 'unlabeled' } });
    await settle();
    press(' ');
    await settle();
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe('1');
    press('1'); // label photo 1, the preview moves on
    await settle(200);
    press('2'); // label photo 2
    await settle(200);
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe('3');
    press('z', { ctrlKey: true });
    await settle(200);
    expect(labels([1, 2])).toEqual([ANTS, null]);
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe('2');
    expect(noticeTexts().some((t) => t.includes('Undone: 00002.jpg is unlabeled again — showing it.'))).toBe(true);
  });

  it('undo in the preview of a photo this view does not list says so instead of moving', async () => {
    for (const p of backend.photos.slice(1, 4)) Object.assign(p, { classId: BEES, labelSource: 'user' });
    for (let i = 0; i < 9; i++) press('ArrowRight');
    press('1'); // in All photos: photo 10 becomes ants
    await settle(200);
    await wrapper.get('[data-testid="filter-item"][data-filter="class:2"]').trigger('click');
    await settle();
    press(' ');
    await settle();
    const shown = wrapper.get('[data-testid="preview"]').attributes('data-photo-id');
    press('z', { ctrlKey: true });
    await settle(200);
    expect(labels([10])).toEqual([null]);
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe(shown);
    expect(noticeTexts().some((t) => t.includes('Undone: 00010.jpg is unlabeled again; it is not in this view.'))).toBe(true);
  });
});
