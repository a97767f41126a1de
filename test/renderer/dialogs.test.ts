/**
 * Dialogs lose nothing and overwrite nothing (issue 12, point 9): the add-folder dialog keeps the
 * typed path and shows the failure beside it; export into a folder that is not empty asks, and
 * writes there only when the person chooses to replace.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import App from '../../src/renderer/App.vue';
import RunExport from '../../src/renderer/components/RunExport.vue';
import { antsAndBees, createFakeBackend, giveElementsSize, resetFakeHistory, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;

describe('the add-folder dialog', () => {
  beforeAll(() => giveElementsSize(1200, 800));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(4, antsAndBees());
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body });
    await flushPromises();
    await settle(100);
  });
  afterEach(() => wrapper.unmount());

  it('keeps the typed path and shows why it failed, beside it', async () => {
    backend.failing.set('folders:add', { code: 'NOT_FOUND', message: 'Folder /home/me/Pictures/bird does not exist.' });
    await wrapper.get('[data-testid="add-folder"]').trigger('click');
    await settle();
    await wrapper.get('[data-testid="add-folder-path"]').setValue('/home/me/Pictures/bird');
    await wrapper.get('#add-folder-form').trigger('submit');
    await settle();
    expect(wrapper.find('[data-testid="add-folder-dialog"]').exists()).toBe(true);
    expect((wrapper.get('[data-testid="add-folder-path"]').element as HTMLInputElement).value).toBe('/home/me/Pictures/bird');
    expect(wrapper.get('[data-testid="add-folder-error"]').text()).toBe('Folder /home/me/Pictures/bird does not exist.');
    // Editing the path clears the message about the old one.
    await wrapper.get('[data-testid="add-folder-path"]').setValue('/home/me/Pictures/birds');
    expect(wrapper.find('[data-testid="add-folder-error"]').exists()).toBe(false);
  });
});

describe('export', () => {
  beforeEach(() => {
    backend = createFakeBackend(0);
    setTransport(backend.transport);
    setActivePinia(createPinia());
  });

  it('into a folder that is not empty: says so, writes nothing, and replaces only when asked', async () => {
    backend.failing.set('training:export', {
      code: 'CONFLICT',
      message: 'The folder /home/me/stuff is not empty (notes.txt). Choose an empty or new folder, or allow replacing.'
    });
    const w = mount(RunExport, { props: { runId: 3 } });
    await w.get('[data-testid="export-path"]').setValue('/home/me/stuff');
    await w.get('form').trigger('submit');
    await settle();
    expect(w.get('[data-testid="export-error"]').text()).toContain('is not empty');
    expect(backend.callsOf('training:export')).toEqual([{ runId: 3, outDir: '/home/me/stuff', replace: false }]);
    backend.failing.delete('training:export');
    await w.get('[data-testid="export-replace"]').trigger('click');
    await settle();
    expect(backend.callsOf('training:export').at(-1)).toEqual({ runId: 3, outDir: '/home/me/stuff', replace: true });
    expect(w.get('[data-testid="export-done"]').text()).toContain('/home/me/stuff/model');
  });

  it('offers no replacing for other failures', async () => {
    backend.failing.set('training:export', { code: 'IO_ERROR', message: 'no permission to write there' });
    const w = mount(RunExport, { props: { runId: 3 } });
    await w.get('[data-testid="export-path"]').setValue('/root/x');
    await w.get('form').trigger('submit');
    await settle();
    expect(w.find('[data-testid="export-replace"]').exists()).toBe(false);
  });
});
