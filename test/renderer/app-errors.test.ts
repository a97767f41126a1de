/** Failures reach the person as their message: never a silent, blank grid. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiError, invoke, setTransport } from '../../src/renderer/api';
import App from '../../src/renderer/App.vue';
import { createFakeBackend, giveElementsSize, settle } from './fake-transport';

async function mountApp() {
  const wrapper = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await flushPromises();
  await settle(100);
  return wrapper;
}

describe('errors in the app frame', () => {
  beforeAll(() => giveElementsSize(1000, 700));

  it('invoke throws an ApiError carrying the code and message from the envelope', async () => {
    const backend = createFakeBackend(3);
    backend.failing.set('photos:page', { code: 'IO_ERROR', message: 'The folder /photos is gone.' });
    setTransport(backend.transport);
    const err = await invoke('photos:page', { offset: 0, limit: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'IO_ERROR', message: 'The folder /photos is gone.' });
  });

  it('a failing page load shows its message as an alert', async () => {
    const backend = createFakeBackend(30);
    backend.failing.set('photos:page', { code: 'IO_ERROR', message: 'The folder /photos is gone.' });
    setTransport(backend.transport);
    const wrapper = await mountApp();
    const alert = wrapper.get('[data-testid="notice"][data-kind="error"]');
    expect(alert.attributes('role')).toBe('alert');
    expect(alert.text()).toContain('Could not load photos: The folder /photos is gone.');
    wrapper.unmount();
  });

  it('a page without a valid token explains how to get in instead of showing an empty library', async () => {
    const backend = createFakeBackend(30);
    backend.failing.set('project:current', { code: 'UNAUTHORIZED', message: 'Missing token.' });
    setTransport(backend.transport);
    const wrapper = await mountApp();
    expect(wrapper.get('[data-testid="load-error"]').text()).toContain('npm run serve');
    expect(wrapper.find('[data-testid="photo-grid"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('with no project open, the frame offers New and Open', async () => {
    const backend = createFakeBackend(0);
    setTransport({
      ...backend.transport,
      invoke: async (channel, req) => (channel === 'project:current' ? { ok: true, data: null } : backend.transport.invoke(channel, req))
    });
    const wrapper = await mountApp();
    expect(wrapper.get('[data-testid="welcome"]').text()).toContain('New project');
    wrapper.unmount();
  });
});
