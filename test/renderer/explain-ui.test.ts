/**
 * The explain UI on the fake transport: the filter gallery (layers, Start, images filling in
 * highest activation first, progress, Cancel, other jobs' events ignored), Try a photo (drop,
 * paste and pick send the image's bytes; classes most likely first with confidences; errors in
 * plain words), the preview's Grad-CAM overlay on Shift+H (asked once per photo and model), and
 * the key map (Shift+H only in the preview, a class's H hotkey keeps working).
 */
import { mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExplainLayers, FilterImageDto, PhotoExplanationDto } from '../../src/shared/explain-dto';
import { setTransport } from '../../src/renderer/api';
import FilterGallery from '../../src/renderer/components/FilterGallery.vue';
import TryPhoto from '../../src/renderer/components/TryPhoto.vue';
import { keyCommand } from '../../src/renderer/lib/key-commands';
import { SHORTCUTS } from '../../src/renderer/lib/key-commands';
import { useClassesStore } from '../../src/renderer/stores/classes';
import { useProjectStore } from '../../src/renderer/stores/project';
import { useTrainingStore } from '../../src/renderer/stores/training';
import LibraryView from '../../src/renderer/views/LibraryView.vue';
import {
  activeRunSummary,
  antsAndBees,
  createFakeBackend,
  giveElementsSize,
  resetFakeHistory,
  settle,
  type FakeBackend
} from './fake-transport';

let backend: FakeBackend;
let wrapper: VueWrapper;

const LAYERS: ExplainLayers = {
  backboneId: 'mobilenet_v2',
  weightsPath: '/models/base',
  source: 'active-run',
  weights: {
    kind: 'pretrained',
    runId: 3,
    label: 'ImageNet weights (MobileNetV2 0.35), as run 3 uses them',
    fallback: null,
    refinedLayers: []
  },
  imageSize: 128,
  layers: [
    { name: 'Conv1', className: 'Conv2D', filters: 16, height: 64, width: 64 },
    { name: 'block_1_expand', className: 'Conv2D', filters: 48, height: 64, width: 64 },
    { name: 'block_2_expand', className: 'Conv2D', filters: 72, height: 32, width: 32 }
  ]
};

function filter(index: number, activationEnd: number): FilterImageDto {
  return {
    layer: 'block_2_expand',
    index,
    activationStart: 0.1,
    activationEnd,
    image: `data:image/png;base64,F${index}`,
    size: 128,
    cached: false
  };
}

function explanation(runId: number): PhotoExplanationDto {
  return {
    runId,
    top: [
      { className: 'bees', confidence: 0.8125 },
      { className: 'ants', confidence: 0.1875 }
    ],
    className: 'bees',
    cam: [
      [0, 1],
      [2, 3]
    ],
    camLayer: 'out_relu',
    overlay: 'data:image/png;base64,OVERLAY',
    renderSize: 448
  };
}

function press(key: string, shiftKey = false): void {
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true }));
}

beforeAll(() => giveElementsSize(1000, 700));
beforeEach(() => {
  localStorage.clear();
  resetFakeHistory();
  backend = createFakeBackend(6, antsAndBees());
  backend.runs = [activeRunSummary(3, ['ants', 'bees'])];
  setTransport(backend.transport);
  setActivePinia(createPinia());
});
afterEach(() => wrapper?.unmount());

describe('filter gallery', () => {
  beforeEach(async () => {
    backend.answers.set('explain:layers', () => LAYERS);
    backend.answers.set('explain:filters', () => ({ jobId: 7 }));
    backend.answers.set('explain:cancel', () => ({ cancelled: true }));
    wrapper = mount(FilterGallery, { attachTo: document.body });
    await settle();
  });

  it('lists the layers with their filter counts and the backbone they belong to', () => {
    const options = wrapper.findAll('[data-testid="gallery-layer"] option').map((o) => o.text());
    expect(options).toEqual(['Conv1 · 16 filters', 'block_1_expand · 48 filters', 'block_2_expand · 72 filters']);
    expect(wrapper.get('[data-testid="gallery-backbone"]').text().replace(/\s+/g, ' ')).toBe(
      'ImageNet weights (MobileNetV2 0.35), as run 3 uses them · 128 px images'
    );
    expect(wrapper.find('[data-testid="gallery-weights-fallback"]').exists()).toBe(false);
  });

  it("names a fine-tuned run's own network and marks the layers fine-tuning changed", async () => {
    const label = 'Run 3’s network (MobileNetV2 0.35), top block refined on your photos';
    backend.answers.set('explain:layers', () => ({
      ...LAYERS,
      weights: { ...LAYERS.weights, kind: 'run', label, refinedLayers: ['block_2_expand'] }
    }));
    wrapper.unmount();
    setActivePinia(createPinia());
    wrapper = mount(FilterGallery, { attachTo: document.body });
    await settle();
    expect(wrapper.get('[data-testid="gallery-weights"]').text()).toBe(label);
    expect(wrapper.get('[data-testid="gallery-weights"]').attributes('data-kind')).toBe('run');
    const options = wrapper.findAll('[data-testid="gallery-layer"] option').map((o) => o.text());
    expect(options).toEqual(['Conv1 · 16 filters', 'block_1_expand · 48 filters', 'block_2_expand · 72 filters · refined']);
  });

  it("says in plain words when a fine-tuned run's own weights could not be shown", async () => {
    const fallback =
      'Run 3 refined its top block on your photos, but its saved model could not be read, so these are the pretrained weights.';
    backend.answers.set('explain:layers', () => ({
      ...LAYERS,
      weights: { ...LAYERS.weights, label: 'ImageNet weights (MobileNetV2 0.35)', fallback }
    }));
    wrapper.unmount();
    setActivePinia(createPinia());
    wrapper = mount(FilterGallery, { attachTo: document.body });
    await settle();
    expect(wrapper.get('[data-testid="gallery-weights"]').text()).toBe('ImageNet weights (MobileNetV2 0.35)');
    expect(wrapper.get('[data-testid="gallery-weights-fallback"]').text()).toBe(fallback);
  });

  it('starts a job for the chosen range, fills in highest activation first with progress, ignores other jobs, and cancels', async () => {
    await wrapper.get('[data-testid="gallery-layer"]').setValue('block_2_expand');
    await wrapper.get('[data-testid="gallery-first"]').setValue('10');
    await wrapper.get('[data-testid="gallery-count"]').setValue('3');
    await wrapper.get('[data-testid="gallery-start"]').trigger('submit');
    await settle();
    expect(backend.callsOf('explain:filters')).toEqual([{ layer: 'block_2_expand', first: 10, count: 3 }]);
    backend.emit('explain:filters', { jobId: 7, kind: 'progress', done: 30, total: 90, filtersDone: 1, filtersTotal: 3 });
    backend.emit('explain:filters', { jobId: 7, kind: 'filter', filter: filter(10, 1.5) });
    backend.emit('explain:filters', { jobId: 6, kind: 'filter', filter: filter(99, 50) });
    backend.emit('explain:filters', { jobId: 7, kind: 'filter', filter: filter(11, 4.25) });
    await settle();
    expect(wrapper.get('[data-testid="gallery-status"]').text()).toMatch(/1 of 3 filters · 33%/);
    const shown = wrapper.findAll('[data-testid="gallery-filter"]');
    expect(shown.map((c) => c.attributes('data-index'))).toEqual(['11', '10']);
    expect(shown[0].get('img').attributes('src')).toBe('data:image/png;base64,F11');
    expect(shown[0].text()).toContain('0.10 → 4.25');

    await wrapper.get('[data-testid="gallery-cancel"]').trigger('click');
    await settle();
    expect(backend.callsOf('explain:cancel')).toEqual([{ jobId: 7 }]);
    backend.emit('explain:filters', { jobId: 7, kind: 'finished', status: 'cancelled', error: null });
    await settle();
    expect(wrapper.get('[data-testid="gallery-status"]').text()).toBe('Cancelled; 2 filters were done.');
    expect(wrapper.find('[data-testid="gallery-start"]').exists()).toBe(true);
  });

  it('shows why a job failed', async () => {
    await wrapper.get('[data-testid="gallery-start"]').trigger('submit');
    await settle();
    backend.emit('explain:filters', {
      jobId: 7,
      kind: 'finished',
      status: 'failed',
      error: 'The filter image process exited with code 1.'
    });
    await settle();
    expect(wrapper.get('[data-testid="gallery-status"] [role="alert"]').text()).toBe('The filter image process exited with code 1.');
  });
});

describe('Try a photo', () => {
  const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
  const photo = () => new File([bytes], 'my bee.jpg', { type: 'image/jpeg' });

  beforeEach(async () => {
    backend.answers.set('explain:photo', () => explanation(3));
    await useTrainingStore().loadRuns();
    wrapper = mount(TryPhoto, { attachTo: document.body });
    await settle();
  });

  it('sends a dropped image as bytes and shows the classes, most likely first, with the heatmap', async () => {
    await wrapper.get('[data-testid="try-drop"]').trigger('drop', { dataTransfer: { files: [photo()], types: ['Files'] } });
    await settle();
    expect(backend.callsOf('explain:photo')).toEqual([
      { image: { name: 'my bee.jpg', base64: btoa(String.fromCharCode(...bytes)) }, runId: 3 }
    ]);
    const rows = wrapper.findAll('[data-testid="try-classes"] li').map((li) => `${li.get('button').text()} ${li.get('.value').text()}`);
    expect(rows).toEqual(['bees 81.3 %', 'ants 18.8 %']);
    expect(wrapper.get('[data-testid="try-overlay"]').attributes('src')).toBe('data:image/png;base64,OVERLAY');
    expect(wrapper.get('[data-testid="try-result"]').text()).toContain('Where it found bees');
  });

  it('explains another class of the same image when it is chosen', async () => {
    await wrapper.get('[data-testid="try-drop"]').trigger('drop', { dataTransfer: { files: [photo()], types: ['Files'] } });
    await settle();
    backend.answers.set('explain:photo', () => ({ ...explanation(3), className: 'ants', overlay: 'data:image/png;base64,ANTS' }));
    const ants = wrapper.findAll('[data-testid="try-classes"] li button').find((b) => b.text() === 'ants');
    expect(ants?.attributes('aria-pressed')).toBe('false');
    await ants?.trigger('click');
    await settle();
    const calls = backend.callsOf('explain:photo');
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({ ...calls[0], className: 'ants' });
    expect(wrapper.get('[data-testid="try-overlay"]').attributes('src')).toBe('data:image/png;base64,ANTS');
    expect(wrapper.get('[data-testid="try-result"]').text()).toContain('Where it found ants');
    expect(wrapper.findAll('[data-testid="try-classes"] li button').map((b) => b.attributes('aria-pressed'))).toEqual(['false', 'true']);
  });

  it('takes a pasted image and a picked one alike', async () => {
    const paste = new Event('paste', { cancelable: true });
    Object.defineProperty(paste, 'clipboardData', { value: { files: [photo()] } });
    document.dispatchEvent(paste);
    await settle();
    expect(paste.defaultPrevented).toBe(true);
    const input = wrapper.get('[data-testid="try-file"]');
    Object.defineProperty(input.element, 'files', { value: [new File([bytes], 'other.png', { type: 'image/png' })], configurable: true });
    await input.trigger('change');
    await settle();
    expect(backend.callsOf('explain:photo').map((r) => (r.image as { name: string }).name)).toEqual(['my bee.jpg', 'other.png']);
  });

  it('says in plain words when the image cannot be read', async () => {
    backend.answers.delete('explain:photo');
    backend.failing.set('explain:photo', { code: 'IO_ERROR', message: 'Cannot read image my bee.jpg: not an image.' });
    await wrapper.get('[data-testid="try-drop"]').trigger('drop', { dataTransfer: { files: [photo()], types: ['Files'] } });
    await settle();
    expect(wrapper.get('[data-testid="try-error"]').text()).toBe('Cannot read image my bee.jpg: not an image.');
  });

  it('asks for a model first when there is none', async () => {
    wrapper.unmount();
    backend.runs = [];
    setActivePinia(createPinia());
    await useTrainingStore().loadRuns();
    wrapper = mount(TryPhoto, { attachTo: document.body });
    await settle();
    expect(wrapper.get('[data-testid="try-no-model"]').text()).toContain('Train a model first');
    expect(wrapper.find('[data-testid="try-drop"]').exists()).toBe(false);
  });
});

describe('Grad-CAM in the preview', () => {
  beforeEach(async () => {
    backend.answers.set('explain:photo', () => explanation(3));
    const pinia = createPinia();
    setActivePinia(pinia);
    wrapper = mount(LibraryView, { props: { helpOpen: false }, global: { plugins: [pinia] }, attachTo: document.body });
    await useProjectStore().load();
    await useClassesStore().load();
    await useTrainingStore().loadRuns();
    await settle();
  });

  it('Shift+H shows where the active model looks for the previewed photo, and hides it; each photo is asked once', async () => {
    press(' ');
    await settle();
    expect(wrapper.find('[data-testid="preview-heatmap"]').exists()).toBe(false);
    press('H', true);
    await settle();
    expect(backend.callsOf('explain:photo')).toEqual([{ runId: 3, photoId: 1 }]);
    expect(wrapper.get('[data-testid="preview-heatmap"] img').attributes('src')).toBe('data:image/png;base64,OVERLAY');
    expect(wrapper.get('[data-testid="preview-heatmap"]').text()).toContain('Where run 3 found bees (81%)');
    press('ArrowRight');
    await settle();
    expect(backend.callsOf('explain:photo')).toEqual([
      { runId: 3, photoId: 1 },
      { runId: 3, photoId: 2 }
    ]);
    press('H', true);
    await settle();
    expect(wrapper.find('[data-testid="preview-heatmap"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="preview"] img').attributes('src')).toBe('fake://full/2');
    press('ArrowLeft');
    press('H', true);
    await settle();
    expect(wrapper.find('[data-testid="preview-heatmap"]').exists()).toBe(true);
    expect(backend.callsOf('explain:photo')).toHaveLength(2);
  });

  it('says why there is no heatmap when the model cannot explain the photo', async () => {
    backend.answers.delete('explain:photo');
    backend.failing.set('explain:photo', { code: 'NOT_FOUND', message: 'Run 3 has no saved model (status failed).' });
    press(' ');
    await settle();
    await wrapper.get('[data-testid="preview-heatmap-toggle"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="preview-heatmap-status"]').text()).toBe('Run 3 has no saved model (status failed).');
  });
});

describe('the Shift+H key', () => {
  const ctx = { columns: 4, pageRows: 3, hotkeys: new Map([['h', 5]]), inPreview: true };
  const key = (k: string, shiftKey: boolean, inPreview: boolean) =>
    keyCommand({ key: k, shiftKey, ctrlKey: false, metaKey: false, altKey: false }, { ...ctx, inPreview });

  it('toggles the heatmap only in the preview; a class with hotkey H still labels with a plain h', () => {
    expect(key('H', true, true)).toEqual({ type: 'toggle-heatmap' });
    expect(key('h', false, true)).toEqual({ type: 'label', classId: 5 });
    expect(key('H', true, false)).toEqual({ type: 'label', classId: 5 });
    expect(SHORTCUTS.find((s) => s.keys === 'Shift + H in the preview')?.action).toMatch(/Grad-CAM/);
  });
});
