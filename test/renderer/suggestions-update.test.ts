/**
 * "Update suggestions": the active model predicts the unlabeled photos again (training:predict).
 * Busy with Cancel while it runs (a determinate bar once 'predictions:progress' counts photos),
 * Train waits for it; success says how many photos got a suggestion and the suggestion views
 * refresh; a cancel keeps the previous suggestions quietly; any other failure is an error notice.
 * A re-predict another window (or this page before a reload) started shows the same way. The
 * whole app runs on the fake transport.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TrainingChoices } from '../../src/shared/dto';
import { setTransport } from '../../src/renderer/api';
import App from '../../src/renderer/App.vue';
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

async function mountApp(): Promise<void> {
  wrapper = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await flushPromises();
  await settle(100);
}

/** The "Update suggestions" control shown in the current view. */
function control() {
  return wrapper.get('[data-testid="suggestions-update"]');
}

function uncertainCount(): string {
  return wrapper.get('[data-testid="filter-item"][data-filter="uncertain"] .count').text();
}

function notices(kind: 'info' | 'error'): string[] {
  return wrapper.findAll(`[data-testid="notice"][data-kind="${kind}"]`).map((n) => n.text().replace(/✕$/, '').trim());
}

async function startUpdate(): Promise<void> {
  await wrapper.get('[data-testid="suggestions-update-start"]').trigger('click');
  await settle();
}

async function endPredict(how: (p: NonNullable<FakeBackend['predicting']>) => void): Promise<void> {
  const p = backend.predicting;
  if (!p) throw new Error('no re-predict is in flight');
  how(p);
  await settle(120);
}

describe('Update suggestions', () => {
  beforeAll(() => giveElementsSize(1000, 700));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(20, antsAndBees());
    // Photos 1–4 have suggestions from run 3; 5–16 were imported after it and have none; 17–20 are labeled.
    backend.photos.slice(0, 4).forEach((p, i) => (p.suggestion = { classId: 2, confidence: 0.9 - i / 10 }));
    backend.photos.slice(16).forEach((p) => (p.classId = 1));
    backend.runs = [activeRunSummary(3, ['ants', 'bees'])];
    setTransport(backend.transport);
    await mountApp();
  });
  afterEach(() => {
    backend.predicting?.fail('INTERNAL', 'test over');
    wrapper.unmount();
  });

  it('sits under the model suggestions in the library and, while it runs, shows an indeterminate busy state with Cancel', async () => {
    expect(wrapper.get('[data-testid="model-filters"]').element.parentElement?.contains(control().element)).toBe(true);
    expect(control().attributes('data-state')).toBe('idle');
    await startUpdate();
    expect(backend.callsOf('training:predict')).toEqual([{ runId: 3 }]);
    expect(control().attributes('data-state')).toBe('updating');
    expect(control().find('[data-testid="suggestions-update-start"]').exists()).toBe(false);
    expect(control().get('[data-testid="suggestions-update-status"]').text()).toBe('Updating suggestions…');
    expect(control().get('[data-testid="suggestions-update-status"]').attributes('title')).toContain('run 3');
    // Before the first progress report the bar claims no figure.
    const bar = control().get('[role="progressbar"]');
    expect(bar.attributes('aria-valuenow')).toBeUndefined();
    expect(control().get('[data-testid="suggestions-update-cancel"]').attributes('disabled')).toBeUndefined();
  });

  it('on success says how many photos got a suggestion, and the counts and thumbnails show the new ones', async () => {
    expect(uncertainCount()).toBe('4');
    expect(wrapper.find('[data-testid="photo-tile"][data-index="4"] [data-testid="tile-suggestion"]').exists()).toBe(false);
    await startUpdate();
    await endPredict((p) => p.end());
    expect(notices('info')).toEqual(['Suggestions updated: 16 unlabeled photos got a suggestion from run 3’s model.']);
    expect(notices('error')).toEqual([]);
    expect(uncertainCount()).toBe('16');
    expect(wrapper.get('[data-testid="filter-item"][data-filter="suggested:1"] .count').text()).toBe('12');
    expect(wrapper.get('[data-testid="photo-tile"][data-index="4"] [data-testid="tile-suggestion"]').text()).toBe('ants 80%?');
    expect(control().attributes('data-state')).toBe('idle');
  });

  it("Cancel stops that run's re-predict; CANCELLED ends in a quiet notice and the previous suggestions stay", async () => {
    await startUpdate();
    await control().get('[data-testid="suggestions-update-cancel"]').trigger('click');
    await settle();
    expect(backend.callsOf('training:cancel')).toEqual([{ runId: 3 }]);
    expect(control().attributes('data-state')).toBe('cancelling');
    expect(control().get('[data-testid="suggestions-update-cancel"]').attributes('disabled')).toBeDefined();
    await endPredict((p) => p.end());
    expect(notices('info')).toEqual(['Update cancelled: the previous suggestions are kept.']);
    expect(notices('error')).toEqual([]);
    expect(uncertainCount()).toBe('4');
    expect(wrapper.find('[data-testid="photo-tile"][data-index="4"] [data-testid="tile-suggestion"]').exists()).toBe(false);
    expect(control().attributes('data-state')).toBe('idle');
  });

  it('any other failure is an error notice with its message, and the action is offered again', async () => {
    await startUpdate();
    await endPredict((p) =>
      p.fail('NOT_FOUND', 'The saved model in /m/run-3 is missing or damaged. Train the model again, or choose another run.')
    );
    const [error] = wrapper.findAll('[data-testid="notice"][data-kind="error"]');
    expect(error.attributes('role')).toBe('alert');
    expect(error.text()).toContain('Could not update the suggestions: The saved model in /m/run-3 is missing or damaged.');
    expect(notices('info')).toEqual([]);
    expect(uncertainCount()).toBe('4');
    expect(control().attributes('data-state')).toBe('idle');
    expect(control().get('[data-testid="suggestions-update-start"]').attributes('disabled')).toBeUndefined();
  });

  it('once progress counts photos the bar is determinate and says N of M photos and the time left; loading keeps it indeterminate', async () => {
    await startUpdate();
    const bar = () => control().get('[role="progressbar"]');
    const count = () => control().find('[data-testid="suggestions-update-count"]');
    const p = backend.predicting!;
    p.progress({ phase: 'loading', done: 0, total: 16 });
    await settle();
    expect(bar().attributes('aria-valuenow')).toBeUndefined();
    expect(count().exists()).toBe(false);
    p.progress({ phase: 'predicting', done: 4, total: 16, imagesPerSec: 8, etaMs: 9000 });
    await settle();
    expect(bar().attributes('aria-valuenow')).toBe('25');
    expect(count().text()).toBe('4 of 16 photos · 9 s left');
    expect(bar().attributes('aria-valuetext')).toBe('4 of 16 photos · 9 s left');
    p.progress({ phase: 'predicting', done: 16, total: 16, imagesPerSec: 8, etaMs: 0 });
    await settle();
    expect(bar().attributes('aria-valuenow')).toBe('100');
    expect(count().text()).toBe('16 of 16 photos');
    await endPredict((q) => q.end());
    expect(notices('info')).toEqual(['Suggestions updated: 16 unlabeled photos got a suggestion from run 3’s model.']);
    expect(control().attributes('data-state')).toBe('idle');
  });

  it('a report that trails the end does not bring the busy state back', async () => {
    await startUpdate();
    await endPredict((q) => q.end());
    expect(control().attributes('data-state')).toBe('idle');
    backend.emit('predictions:progress', { runId: 3, phase: 'predicting', done: 16, total: 16, imagesPerSec: 8, etaMs: 0 });
    await settle();
    expect(control().attributes('data-state')).toBe('idle');
  });

  it('a re-predict already running when the page loads shows as busy with Cancel, which stops that run’s; its end clears it', async () => {
    wrapper.unmount();
    const foreign = backend.startForeignPredict(3);
    await mountApp();
    expect(control().attributes('data-state')).toBe('updating');
    expect(control().get('[data-testid="suggestions-update-status"]').text()).toBe('Updating suggestions…');
    expect(control().get('[role="progressbar"]').attributes('aria-valuenow')).toBeUndefined();
    foreign.progress({ phase: 'predicting', done: 5, total: 16 });
    await settle();
    expect(control().get('[data-testid="suggestions-update-count"]').text()).toBe('5 of 16 photos');
    await control().get('[data-testid="suggestions-update-cancel"]').trigger('click');
    await settle();
    expect(backend.callsOf('training:cancel')).toEqual([{ runId: 3 }]);
    expect(control().attributes('data-state')).toBe('cancelling');
    await endPredict((q) => q.end());
    expect(control().attributes('data-state')).toBe('idle');
    expect(notices('info')).toEqual(['Update cancelled: the previous suggestions are kept.']);
    expect(uncertainCount()).toBe('4');
  });

  it('a re-predict another window starts shows here from its first report, and its completion refreshes the suggestions', async () => {
    const foreign = backend.startForeignPredict(3);
    foreign.progress({ phase: 'loading', done: 0, total: 16 });
    await settle();
    expect(control().attributes('data-state')).toBe('updating');
    expect(backend.callsOf('training:predict')).toEqual([]);
    await endPredict((q) => q.end());
    expect(control().attributes('data-state')).toBe('idle');
    expect(notices('info')).toEqual(['Suggestions updated: 16 unlabeled photos got a suggestion from run 3’s model.']);
    expect(uncertainCount()).toBe('16');
  });

  it('while a run trains, the action is disabled and says why', async () => {
    backend.emit('training:progress', {
      runId: 4,
      phase: 'features',
      done: 3,
      total: 30,
      epoch: null,
      epochs: null,
      batchLoss: null,
      batchAcc: null,
      epochMetrics: null,
      imagesPerSec: 5,
      elapsedMs: 1000,
      etaMs: 5000,
      note: null
    });
    await settle();
    expect(control().attributes('data-state')).toBe('blocked');
    expect(control().get('[data-testid="suggestions-update-start"]').attributes('disabled')).toBeDefined();
    expect(control().get('[data-testid="suggestions-update-blocked"]').text()).toMatch(/Training is running/);
    await control().get('[data-testid="suggestions-update-start"]').trigger('click');
    await settle();
    expect(backend.callsOf('training:predict')).toEqual([]);
  });

  it('the active run’s detail in Runs offers it too, in the same state', async () => {
    await startUpdate();
    await wrapper.get('[data-testid="tab-runs"]').trigger('click');
    await settle();
    const results = wrapper.get('[data-testid="run-results"][data-run-id="3"]');
    expect(results.get('[data-testid="suggestions-update"]').attributes('data-state')).toBe('updating');
    expect(results.get('[data-testid="suggestions-update-status"]').text()).toBe('Updating suggestions with run 3’s model…');
    await endPredict((p) => p.end());
    expect(results.get('[data-testid="suggestions-update"]').attributes('data-state')).toBe('idle');
    await results.get('[data-testid="suggestions-update-start"]').trigger('click');
    await settle();
    expect(backend.callsOf('training:predict')).toEqual([{ runId: 3 }, { runId: 3 }]);
  });
});

describe('Train while suggestions update', () => {
  beforeAll(() => giveElementsSize(1000, 700));
  beforeEach(async () => {
    localStorage.clear();
    resetFakeHistory();
    backend = createFakeBackend(20, antsAndBees());
    backend.runs = [activeRunSummary(3, ['ants', 'bees'])];
    // Enough labels and a ready backbone, so nothing but the update keeps Train from starting.
    const ready = {
      id: 'mobilenet_v2',
      displayName: 'MobileNetV2',
      ready: true,
      weightsPath: '/w',
      sizeBytes: null,
      preprocessing: 'tf',
      featureDim: 1280,
      defaultInputSize: 320,
      note: null
    };
    const plan = {
      classes: [
        { id: 1, name: 'ants', train: 20, val: 5 },
        { id: 2, name: 'bees', train: 20, val: 5 }
      ],
      splitSource: 'random',
      unlabeled: 20,
      choices: {
        backboneId: 'mobilenet_v2',
        backboneName: 'MobileNetV2',
        weightsPath: '/w',
        inputSize: 224,
        inputSizeCandidates: [224, 320],
        inputSizeReason: 'cross-validation among 224, 320 px (photos’ median short side 375 px)',
        head: 'gap',
        headTraining: 'logistic-cv',
        headReason: 'logistic regression, its L2 strength chosen by 5-fold cross-validation on the training photos',
        epochs: 50,
        fineTune: 'auto',
        fineTuneReason: 'Auto: a 3-fold cross-validation in the run decides whether it pays',
        timeBudgetSeconds: 600,
        seed: 42
      } satisfies TrainingChoices,
      blocked: null
    };
    setTransport({
      ...backend.transport,
      invoke: async (channel, req) => {
        if (channel === 'models:backbones') return { ok: true, data: [ready] };
        if (channel === 'training:plan') return { ok: true, data: plan };
        return backend.transport.invoke(channel, req);
      }
    });
    await mountApp();
  });
  afterEach(() => {
    backend.predicting?.fail('INTERNAL', 'test over');
    wrapper.unmount();
  });

  it('Train is disabled and says it waits for the update, offers to cancel it, and is enabled again afterwards', async () => {
    await wrapper.get('[data-testid="tab-train"]').trigger('click');
    await settle();
    const train = () => wrapper.get('[data-testid="train-start"]');
    expect(train().attributes('disabled')).toBeUndefined();
    await wrapper.get('[data-testid="run-results"] [data-testid="suggestions-update-start"]').trigger('click');
    await settle();
    expect(train().attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="train-waits"]').text()).toContain(
      'Suggestions are being updated with run 3’s model; Train is possible once that is done.'
    );
    expect(train().attributes('aria-describedby')).toBe('train-waits');
    await wrapper.get('[data-testid="train-cancel-update"]').trigger('click');
    await settle();
    expect(backend.callsOf('training:cancel')).toEqual([{ runId: 3 }]);
    expect(wrapper.get('[data-testid="train-waits"]').text()).toContain('Stopping the suggestion update…');
    await endPredict((p) => p.end());
    expect(wrapper.find('[data-testid="train-waits"]').exists()).toBe(false);
    expect(train().attributes('disabled')).toBeUndefined();
  });
});
