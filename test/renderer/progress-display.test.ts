/**
 * Progress never looks stuck or wrong (issue 12, point 7): the step that really runs before
 * fine-tuning's first epoch is named, with a bar that moves without filling; loading and saving
 * show no "0 of 1"; the elapsed time goes on between reports; an import's progress leaves the
 * status bar when it is over (no "Making thumbnails 0 / 0").
 */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImportProgress, TrainingProgress as Progress } from '../../src/shared/dto';
import { setTransport } from '../../src/renderer/api';
import StatusBar from '../../src/renderer/components/StatusBar.vue';
import TrainingProgress from '../../src/renderer/components/TrainingProgress.vue';
import { useProjectStore } from '../../src/renderer/stores/project';
import type { LiveRun } from '../../src/renderer/stores/training';
import { createFakeBackend } from './fake-transport';

function report(patch: Partial<Progress>): Progress {
  return {
    runId: 2,
    phase: 'fine-tuning',
    done: 398,
    total: 398,
    epoch: null,
    epochs: null,
    batchLoss: null,
    batchAcc: null,
    epochMetrics: null,
    imagesPerSec: 60,
    elapsedMs: 3000,
    etaMs: 0,
    note: 'decoding photos for fine-tuning',
    ...patch
  };
}

function live(progress: Progress): LiveRun {
  return { runId: progress.runId, progress, history: [], batches: [], finished: null };
}

function card(progress: Progress) {
  return mount(TrainingProgress, { props: { live: live(progress) } });
}

describe('training progress', () => {
  it('once the photos are decoded, fine-tuning says it is getting ready instead of "398/398 batches"', () => {
    const w = card(report({}));
    expect(w.get('[data-testid="training-phase"]').text()).toBe('Refining the network: getting ready, measuring its speed');
    expect(w.get('[data-testid="training-done"]').text()).toBe('—');
    expect(w.text()).not.toContain('batches');
    expect(w.get('[role="progressbar"]').attributes('aria-valuenow')).toBeUndefined();
    expect(w.get('.fill').classes()).toContain('indeterminate');
  });

  it('while decoding, it counts photos', () => {
    const w = card(report({ done: 100 }));
    expect(w.get('[data-testid="training-phase"]').text()).toBe('Refining the network: decoding the photos');
    expect(w.get('[data-testid="training-done"]').text()).toBe('100 of 398 photos');
    expect(w.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('25');
  });

  it('during its epochs, it counts steps with the epoch', () => {
    const w = card(report({ done: 12, total: 81, epoch: 1, epochs: 3, note: 'fine-tuning 12 layers: about 186 s at 2.1 images/s' }));
    expect(w.get('[data-testid="training-phase"]').text()).toBe('Refining the network · epoch 1 of 3');
    expect(w.get('[data-testid="training-done"]').text()).toBe('12 of 81 steps');
  });

  it('saving and loading show no "0 of 1 photos"', () => {
    for (const phase of ['saving', 'loading'] as const) {
      const w = card(report({ phase, done: 0, total: 1, note: null }));
      expect(w.get('[data-testid="training-done"]').text()).toBe('—');
      expect(w.text()).not.toMatch(/0 (of|\/) 1/);
    }
  });

  describe('elapsed time', () => {
    beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] }));
    afterEach(() => vi.useRealTimers());

    it('keeps counting between reports, so a long step does not look frozen', async () => {
      const w = card(report({ elapsedMs: 3000 }));
      expect(w.get('[data-testid="training-elapsed"]').text()).toBe('3 s');
      await vi.advanceTimersByTimeAsync(20_000);
      expect(w.get('[data-testid="training-elapsed"]').text()).toBe('23 s');
      w.unmount();
    });
  });
});

describe('import progress in the status bar', () => {
  function bar(progress: ImportProgress | null, importing = false) {
    return mount(StatusBar, { props: { stats: null, progress, importing, selected: 0 } });
  }

  it('shows no "0 / 0" when there is nothing to count', () => {
    const w = bar({ phase: 'hash', done: 0, total: 0, currentPath: '', rate: 0 }, true);
    expect(w.get('[data-testid="import-progress"]').text()).not.toContain('0 / 0');
  });

  it('leaves once the thumbnails are done, also when an import nobody waits for (a rescan on open) ends', () => {
    setTransport(createFakeBackend(0).transport);
    setActivePinia(createPinia());
    const project = useProjectStore();
    project.setProgress({ phase: 'scan', done: 10, total: 10, currentPath: '/p', rate: 100 });
    expect(project.progress?.phase).toBe('scan');
    project.setProgress({ phase: 'hash', done: 0, total: 0, currentPath: '', rate: 0 });
    project.setProgress({ phase: 'thumbnails', done: 0, total: 0, currentPath: '', rate: 0 });
    expect(project.progress).toBeNull();
  });
});
