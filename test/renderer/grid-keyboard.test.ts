/** The library's keyboard: focus movement, hotkey labeling, preview with label-and-advance, undo/redo, help. */
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import { useClassesStore } from '../../src/renderer/stores/classes';
import { useLibraryStore } from '../../src/renderer/stores/library';
import { useProjectStore } from '../../src/renderer/stores/project';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import LibraryView from '../../src/renderer/views/LibraryView.vue';
import { createFakeBackend, giveElementsSize, makePhotos, resetFakeHistory, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;

function press(key: string, mods: Partial<KeyboardEventInit> = {}, target: EventTarget = document.body): void {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...mods }));
}

function columns(): number {
  return Number(wrapper.get('[data-testid="photo-grid"]').attributes('data-columns'));
}

async function mountLibrary(helpOpen = false): Promise<void> {
  const pinia = createPinia();
  setActivePinia(pinia);
  wrapper = mount(LibraryView, {
    props: { helpOpen, 'onUpdate:helpOpen': (v: boolean) => wrapper.setProps({ helpOpen: v }) },
    global: { plugins: [pinia] },
    attachTo: document.body
  });
  await useProjectStore().load();
  await useClassesStore().load();
  await settle();
}

describe('grid keyboard', () => {
  beforeAll(() => giveElementsSize(1000, 700));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(100, [
      { id: 1, name: 'ants', color: '#e6194b', hotkey: '1', position: 0, count: 0 },
      { id: 2, name: 'bees', color: '#3cb44b', hotkey: null, position: 1, count: 0 }
    ]);
    setTransport(backend.transport);
    await mountLibrary();
  });
  afterEach(() => wrapper.unmount());

  it('renders tiles for the visible rows only', () => {
    const tiles = wrapper.findAll('[data-testid="photo-tile"]').length;
    expect(tiles).toBeGreaterThan(0);
    expect(tiles).toBeLessThan(100);
  });

  it('arrows move the focus; up and down move by one grid row', async () => {
    const selection = useSelectionStore();
    press('ArrowRight');
    press('ArrowRight');
    await settle(10);
    expect(selection.focus).toBe(2);
    press('ArrowDown');
    await settle(10);
    expect(selection.focus).toBe(2 + columns());
    press('ArrowLeft');
    press('ArrowUp');
    await settle(10);
    expect(selection.focus).toBe(1);
    expect(wrapper.get('[data-index="1"]').classes()).toContain('focused');
  });

  it('a class hotkey labels the focused photo at once, and 0 clears it', async () => {
    press('ArrowRight');
    await settle(10);
    press('1');
    await settle();
    expect(backend.callsOf('labels:assign')).toEqual([{ photoIds: [2], classId: 1 }]);
    expect(wrapper.get('[data-photo-id="2"]').attributes('data-label')).toBe('ants');
    press('0');
    await settle();
    expect(backend.callsOf('labels:assign').at(-1)).toEqual({ photoIds: [2], classId: null });
    expect(wrapper.get('[data-photo-id="2"]').attributes('data-label')).toBe('');
  });

  it('a class without its own hotkey gets the next free digit', async () => {
    press('2');
    await settle();
    expect(backend.callsOf('labels:assign')).toEqual([{ photoIds: [1], classId: 2 }]);
  });

  it('a hotkey labels the whole selection when there is one (Shift+arrows extend it)', async () => {
    press('ArrowRight', { shiftKey: true });
    press('ArrowRight', { shiftKey: true });
    await settle(10);
    press('1');
    await settle();
    expect([...(backend.callsOf('labels:assign')[0].photoIds as number[])].sort()).toEqual([1, 2, 3]);
  });

  it('Ctrl+A selects every photo in the filter', async () => {
    press('a', { ctrlKey: true });
    await settle();
    expect(useSelectionStore().count).toBe(100);
  });

  it('Enter opens the preview; a hotkey there labels and advances; Esc closes', async () => {
    press('Enter');
    await settle();
    expect(wrapper.find('[data-testid="preview"]').attributes('data-photo-id')).toBe('1');
    press('2');
    await settle();
    expect(backend.callsOf('labels:assign')).toEqual([{ photoIds: [1], classId: 2 }]);
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe('2');
    press('ArrowRight');
    await settle();
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe('3');
    press('Escape');
    await settle();
    expect(wrapper.find('[data-testid="preview"]').exists()).toBe(false);
    expect(useSelectionStore().focus).toBe(2);
  });

  it('label-and-advance crosses into the next page of photos', async () => {
    backend.photos.push(...makePhotos(450).slice(100));
    useLibraryStore().invalidate();
    await settle();
    useSelectionStore().setFocus(197);
    press('Enter');
    await settle();
    for (const key of ['1', '2', '1', '2']) {
      press(key);
      await settle(20);
    }
    await settle();
    expect(wrapper.get('[data-testid="preview"]').attributes('data-photo-id')).toBe('202');
    expect(backend.callsOf('labels:assign').map((r) => r.photoIds)).toEqual([[198], [199], [200], [201]]);
  });

  it('Ctrl+Z undoes, Shift+Ctrl+Z and Ctrl+Y redo', async () => {
    press('1');
    await settle();
    press('z', { ctrlKey: true });
    await settle();
    press('z', { ctrlKey: true, shiftKey: true });
    await settle();
    press('y', { ctrlKey: true });
    await settle();
    const channels = backend.calls.map((c) => c.channel).filter((c) => c.startsWith('labels:'));
    expect(channels).toEqual(['labels:assign', 'labels:undo', 'labels:redo', 'labels:redo']);
  });

  it('? opens the shortcut help listing the class hotkeys', async () => {
    press('?');
    await settle();
    const help = wrapper.get('[data-testid="shortcut-help"]');
    expect(help.text()).toContain('Undo');
    expect(help.text()).toContain('ants');
  });

  it('keys typed into a text field never label photos', async () => {
    const input = wrapper.get('[data-testid="class-add-name"]').element as HTMLInputElement;
    input.focus();
    press('1', {}, input);
    await settle();
    expect(backend.callsOf('labels:assign')).toEqual([]);
  });
});
