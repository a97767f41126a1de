/** The classes panel: add, inline rename, hotkey, delete with a confirmation that counts the labels. */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import ClassesPanel from '../../src/renderer/components/ClassesPanel.vue';
import { useClassesStore } from '../../src/renderer/stores/classes';
import { createFakeBackend, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;

function item(name: string) {
  return wrapper.get(`[data-testid="class-item"][data-class-name="${name}"]`);
}

beforeEach(async () => {
  backend = createFakeBackend(300, [
    { id: 1, name: 'ants', color: '#e6194b', hotkey: '1', position: 0, count: 0 },
    { id: 2, name: 'bees', color: '#3cb44b', hotkey: '2', position: 1, count: 0 }
  ]);
  backend.photos.slice(0, 194).forEach((p) => (p.classId = 1));
  setTransport(backend.transport);
  const pinia = createPinia();
  setActivePinia(pinia);
  wrapper = mount(ClassesPanel, { global: { plugins: [pinia] }, attachTo: document.body });
  await useClassesStore().load();
  await flushPromises();
});
afterEach(() => wrapper.unmount());

describe('classes panel', () => {
  it('lists the classes in order with their live counts', () => {
    const names = wrapper.findAll('[data-testid="class-item"]').map((w) => w.attributes('data-class-name'));
    expect(names).toEqual(['ants', 'bees']);
    expect(item('ants').get('[data-testid="class-count"]').text()).toBe('194');
  });

  it('adds a class with the next free hotkey and a fresh color', async () => {
    await wrapper.get('[data-testid="class-add-name"]').setValue('wasps');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(backend.callsOf('classes:add')).toEqual([{ name: 'wasps', color: '#4363d8', hotkey: '3' }]);
    expect(wrapper.find('[data-class-name="wasps"]').exists()).toBe(true);
    expect((wrapper.get('[data-testid="class-add-name"]').element as HTMLInputElement).value).toBe('');
  });

  it('renames inline: double-click the name, type, Enter', async () => {
    await item('bees').get('.name').trigger('dblclick');
    const input = item('bees').get('[data-testid="class-rename-input"]');
    await input.setValue('honeybees');
    await input.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(backend.callsOf('classes:update')).toEqual([{ id: 2, name: 'honeybees' }]);
    expect(wrapper.find('[data-class-name="honeybees"]').exists()).toBe(true);
  });

  it('Esc abandons a rename', async () => {
    await item('bees').get('[data-testid="class-rename"]').trigger('click');
    const input = item('bees').get('[data-testid="class-rename-input"]');
    await input.setValue('nope');
    await input.trigger('keydown', { key: 'Escape' });
    await settle();
    expect(backend.callsOf('classes:update')).toEqual([]);
  });

  it('sets a hotkey by typing it into the hotkey box', async () => {
    const box = item('bees').get('[data-testid="class-hotkey"]');
    (box.element as HTMLInputElement).value = 'b';
    await box.trigger('input');
    await settle();
    expect(backend.callsOf('classes:update')).toEqual([{ id: 2, hotkey: 'b' }]);
  });

  it('delete asks first, saying how many labels go, and deletes only on confirm', async () => {
    await item('ants').get('[data-testid="class-delete"]').trigger('click');
    const text = wrapper.get('[data-testid="confirm-delete-text"]').text();
    expect(text).toBe('Delete the class “ants”? 194 labels will be removed. The photos stay in the project.');
    expect(backend.callsOf('classes:delete')).toEqual([]);
    await wrapper.get('[data-testid="confirm-delete-submit"]').trigger('click');
    await settle();
    expect(backend.callsOf('classes:delete')).toEqual([{ id: 1 }]);
    expect(wrapper.find('[data-class-name="ants"]').exists()).toBe(false);
  });

  it('cancelling the delete keeps the class', async () => {
    await item('bees').get('[data-testid="class-delete"]').trigger('click');
    expect(wrapper.get('[data-testid="confirm-delete-text"]').text()).toContain('0 labels will be removed');
    await wrapper.get('[data-testid="confirm-delete"] button').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="confirm-delete"]').exists()).toBe(false);
    expect(backend.callsOf('classes:delete')).toEqual([]);
  });

  it('reorders with the keyboard on the drag handle', async () => {
    await item('bees').get('.handle').trigger('keydown', { key: 'ArrowUp' });
    await settle();
    expect(backend.callsOf('classes:reorder')).toEqual([{ ids: [2, 1] }]);
  });

  it('merges into the class picked in the merge dialog', async () => {
    await item('ants').get('[data-testid="class-merge"]').trigger('click');
    expect(wrapper.get('[data-testid="merge-dialog"]').text()).toContain('Its 194 labeled photos move to the chosen class');
    await wrapper.get('[data-testid="merge-target"]').setValue('2');
    await wrapper.get('[data-testid="merge-submit"]').trigger('click');
    await settle();
    expect(backend.callsOf('classes:merge')).toEqual([{ sourceId: 1, targetId: 2 }]);
    expect(item('bees').get('[data-testid="class-count"]').text()).toBe('194');
  });
});
