/**
 * Runs belong to a project (issue 12, point 2): after New/Open project nothing of the old
 * project's runs shows or can be exported, and its still-running training's events stay out.
 * The active-model badge follows a new run without a reload (point 3).
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TrainingProgress } from '../../src/shared/dto';
import { setTransport } from '../../src/renderer/api';
import App from '../../src/renderer/App.vue';
import { useNavigationStore } from '../../src/renderer/stores/navigation';
import { useProjectStore } from '../../src/renderer/stores/project';
import { useTrainingStore } from '../../src/renderer/stores/training';
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

function run(id: number, active: boolean) {
  return { ...activeRunSummary(id, ['ants', 'bees']), active };
}

function progress(runId: number): TrainingProgress {
  return {
    runId,
    phase: 'training',
    done: 3,
    total: 10,
    epoch: 1,
    epochs: 5,
    batchLoss: 0.5,
    batchAcc: 0.8,
    epochMetrics: null,
    imagesPerSec: 50,
    elapsedMs: 2000,
    etaMs: 3000,
    note: null
  };
}

async function mountApp(): Promise<VueWrapper> {
  const pinia = createPinia();
  setActivePinia(pinia);
  // Chart.js needs a real canvas; the charts are tested on their own (training-chart.test.ts).
  const w = mount(App, { global: { plugins: [pinia], stubs: { TrainingChart: true } }, attachTo: document.body });
  await flushPromises();
  await settle(100);
  return w;
}

async function showRuns(): Promise<void> {
  useNavigationStore().show('runs');
  await settle(100);
}

describe('runs and the open project', () => {
  beforeAll(() => giveElementsSize(1200, 800));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(10, antsAndBees());
    backend.runs = [run(3, true), run(2, false), run(1, false)];
    setTransport(backend.transport);
    wrapper = await mountApp();
  });
  afterEach(() => wrapper.unmount());

  it('after New project, the Runs view shows none of the old project’s runs and offers no export', async () => {
    await showRuns();
    await wrapper.get('[data-testid="run-row"][data-run-id="2"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="run-results"]').attributes('data-run-id')).toBe('2');
    // Another project: it has no runs.
    backend.runs = [];
    await useProjectStore().openOrCreate('/tmp/other.tstudio', true);
    await settle(100);
    expect(wrapper.findAll('[data-testid="run-row"]')).toHaveLength(0);
    expect(wrapper.find('[data-testid="run-results"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="run-export"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="runs-empty"]').text()).toContain('No runs yet');
    expect(useTrainingStore().details.size).toBe(0);
  });

  it('a new project’s run with the same number as an old one shows its own details, not the old ones', async () => {
    await showRuns();
    expect(wrapper.get('[data-testid="run-results"]').attributes('data-run-id')).toBe('3');
    backend.runs = [{ ...run(3, true), classes: ['cats', 'dogs'], valAccuracy: 0.5 }];
    await useProjectStore().openOrCreate('/tmp/other.tstudio', false);
    await settle(100);
    expect(useTrainingStore().details.get(3)?.classes).toEqual(['cats', 'dogs']);
  });

  it('the old project’s training, still running after the switch, does not show in the new project', async () => {
    useTrainingStore().onProgress(progress(3));
    await settle();
    expect(wrapper.get('[data-testid="status-training"]').text()).toContain('Run 3');
    backend.runs = [];
    await useProjectStore().openOrCreate('/tmp/other.tstudio', true);
    await settle(100);
    backend.emit('training:progress', progress(3));
    useTrainingStore().onProgress(progress(3));
    await settle();
    expect(wrapper.find('[data-testid="status-training"]').exists()).toBe(false);
    expect(useTrainingStore().live).toBeNull();
  });

  it('the “Makes the suggestions” badge moves to a new run when it finishes, without a reload', async () => {
    await showRuns();
    expect(wrapper.get('[data-testid="run-results"]').attributes('data-run-id')).toBe('3');
    expect(wrapper.find('[data-testid="run-active"]').exists()).toBe(true);
    // Run 4 finishes: the main side makes its model the active one.
    backend.runs = [run(4, true), run(3, false), run(2, false), run(1, false)];
    await useTrainingStore().onFinished({ runId: 4, status: 'completed', valAccuracy: 0.9, error: null });
    await settle();
    await wrapper.get('[data-testid="run-row"][data-run-id="3"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="run-results"]').attributes('data-run-id')).toBe('3');
    expect(wrapper.find('[data-testid="run-active"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="run-set-active"]').exists()).toBe(true);
    expect(useTrainingStore().details.get(3)?.active).toBe(false);
  });
});
