/**
 * Small windows and plain words (issue 12, points 10 and 11), and the theme switch: the side
 * panels fold (remembered; a narrow window starts with the classes folded), the theme is chosen
 * as system, light or dark and remembered, and the training screens speak to someone who labels
 * photos ("tfjs-node", "head", "from the cache" and the like stay in tooltips).
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunDetail, TrainingProgress as Progress } from '../../src/shared/dto';
import { setTransport } from '../../src/renderer/api';
import App from '../../src/renderer/App.vue';
import EngineStatus from '../../src/renderer/components/EngineStatus.vue';
import RunResults from '../../src/renderer/components/RunResults.vue';
import TrainingProgress from '../../src/renderer/components/TrainingProgress.vue';
import { loadPanels, PANELS_KEY } from '../../src/renderer/lib/panels';
import { applyTheme, THEME_KEY } from '../../src/renderer/lib/theme';
import { activeRunSummary, antsAndBees, createFakeBackend, giveElementsSize, resetFakeHistory, settle } from './fake-transport';

/** Words a person who labels photos should not have to read (the tooltips may keep them). */
const DEVELOPER_WORDS = /tfjs|tensorflow|\bhead\b|from the cache|\bmode:|backbone|\bfeatures?\b|img\/s|batches/i;

function visibleText(w: VueWrapper): string {
  return w.text();
}

describe('side panels', () => {
  beforeAll(() => giveElementsSize(780, 560));
  beforeEach(() => localStorage.clear());

  it('a narrow window starts with the classes folded; a wide one with both open', () => {
    expect(loadPanels(800)).toEqual({ filters: true, classes: false });
    expect(loadPanels(1440)).toEqual({ filters: true, classes: true });
  });

  it('fold and unfold from the library, and the choice is remembered', async () => {
    const backend = createFakeBackend(8, antsAndBees());
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body });
    await flushPromises();
    await settle(100);
    await wrapper.get('[data-testid="fold-filters"]').trigger('click');
    expect(wrapper.find('[data-testid="filters-rail"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="filters-panel"]').exists()).toBe(false);
    expect(JSON.parse(localStorage.getItem(PANELS_KEY) ?? '{}')).toMatchObject({ filters: false });
    expect(loadPanels(1440)).toMatchObject({ filters: false });
    await wrapper.get('[data-testid="unfold-filters"]').trigger('click');
    expect(wrapper.find('[data-testid="filters-panel"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('the folded classes rail still shows each class’s hotkey', async () => {
    localStorage.setItem(PANELS_KEY, JSON.stringify({ filters: true, classes: false }));
    const backend = createFakeBackend(8, antsAndBees());
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body });
    await flushPromises();
    await settle(100);
    expect(
      wrapper
        .get('[data-testid="classes-rail"]')
        .findAll('kbd')
        .map((k) => k.text())
    ).toEqual(['1', '2']);
    wrapper.unmount();
  });
});

describe('theme', () => {
  beforeEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset.theme;
  });

  it('cycles system → light → dark from the title bar, applies it at once and remembers it', async () => {
    const backend = createFakeBackend(2, antsAndBees());
    setTransport(backend.transport);
    const pinia = createPinia();
    setActivePinia(pinia);
    const wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body });
    await flushPromises();
    const toggle = () => wrapper.get('[data-testid="theme-toggle"]');
    expect(toggle().attributes('data-theme-choice')).toBe('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    await toggle().trigger('click');
    expect(document.documentElement.dataset.theme).toBe('light');
    await toggle().trigger('click');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(localStorage.getItem(THEME_KEY)).toBe('dark');
    expect(toggle().attributes('aria-label')).toBe('Theme: dark. Switch to as the system.');
    await toggle().trigger('click');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(localStorage.getItem(THEME_KEY)).toBe('system');
    wrapper.unmount();
  });

  it('a remembered choice is what the next start applies', () => {
    applyTheme('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    applyTheme('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});

describe('plain words', () => {
  beforeEach(() => {
    resetFakeHistory();
    setTransport(createFakeBackend(0, antsAndBees()).transport);
    setActivePinia(createPinia());
  });

  it('the engine in the status bar: no package names on the bar, they are in the tooltip', () => {
    const w = mount(EngineStatus, {
      props: {
        engine: {
          backend: 'wasm',
          device: 'cpu',
          label: 'CPU · WebAssembly (tfjs-node not installed)',
          unavailable: [{ name: 'tfjs-node', reason: 'not installed' }]
        }
      }
    });
    expect(visibleText(w)).not.toMatch(DEVELOPER_WORDS);
    expect(w.get('[data-testid="engine-status"]').attributes('title')).toContain('@tensorflow/tfjs-node');
  });

  it('the progress card in every phase', () => {
    const phases: Progress['phase'][] = ['loading', 'features', 'training', 'fine-tuning', 'evaluating', 'predicting', 'saving'];
    for (const phase of phases) {
      const progress: Progress = {
        runId: 1,
        phase,
        done: 3,
        total: 10,
        epoch: phase === 'training' ? 1 : null,
        epochs: phase === 'training' ? 50 : null,
        batchLoss: null,
        batchAcc: null,
        epochMetrics: null,
        imagesPerSec: 12,
        elapsedMs: 1000,
        etaMs: 1000,
        note: '398 cached, 0 to compute'
      };
      const w = mount(TrainingProgress, { props: { live: { runId: 1, progress, history: [], batches: [], finished: null } } });
      expect(visibleText(w), phase).not.toMatch(DEVELOPER_WORDS);
      w.unmount();
    }
  });

  it('a finished run’s results', () => {
    const run: RunDetail = {
      ...activeRunSummary(2, ['ants', 'bees']),
      config: { backboneId: 'mobilenet_v2', weightsPath: '/m', inputSize: 320, head: 'gap', epochs: 50, fineTune: true, seed: 42 },
      timings: { load: 1, features: 3, train: 0.8, fineTune: 40, evaluate: 1, predict: 1, save: 1, total: 48 },
      history: [
        { stage: 'head', epoch: 1, loss: 0.5, acc: 0.8, valLoss: 0.4, valAcc: 0.85 },
        { stage: 'fine-tune', epoch: 1, loss: 0.3, acc: 0.9, valLoss: 0.35, valAcc: 0.88 }
      ],
      perClass: [],
      confusion: [
        [70, 5],
        [6, 72]
      ],
      mistakes: [],
      modelPath: '/m/run-2',
      featuresComputed: 0,
      featuresCached: 398,
      peakRssBytes: null,
      inference: null,
      choices: {
        inputSize: { value: 320, reason: '320 px: CV 0.940 vs 0.930 at 224' },
        fineTune: { value: true, reason: 'on: CV 0.951 fine-tuned vs 0.931 frozen (3 folds, 40 s)' },
        head: { value: 'logistic-cv', reason: 'logistic regression, C = 0.010: best 5-fold CV accuracy 0.931 (log-loss 0.201)' },
        headCv: [{ c: 0.01, accuracy: 0.931, logLoss: 0.201 }],
        cvAccuracy: 0.931,
        validation: { photos: 153, weak: false, note: null }
      }
    };
    const w = mount(RunResults, { props: { runId: 2, run, live: null }, global: { stubs: { TrainingChart: true } } });
    expect(visibleText(w)).not.toMatch(DEVELOPER_WORDS);
    expect(visibleText(w)).toContain('398 remembered from earlier runs');
  });
});

afterEach(() => document.body.replaceChildren());
