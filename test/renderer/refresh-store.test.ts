/**
 * The coalesced refresh (stores/refresh.ts): a burst of asks makes one refresh, an ask made
 * before there is anything to refresh is kept, and its state belongs to one Pinia: a refresh
 * scheduled under one Pinia never swallows (or runs instead of) one asked for under the next.
 */
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { useRefreshStore } from '../../src/renderer/stores/refresh';
import { settle } from './fake-transport';

/** A refresh that counts its runs. */
function counter(): { runs: number; work: () => Promise<void> } {
  const c = { runs: 0, work: async () => void c.runs++ };
  return c;
}

describe('refresh store', () => {
  it('makes one refresh of a burst of asks', async () => {
    setActivePinia(createPinia());
    const c = counter();
    const refresh = useRefreshStore();
    refresh.setWork(c.work);
    for (let i = 0; i < 5; i++) refresh.schedule();
    await settle(100);
    expect(c.runs).toBe(1);
  });

  it('runs an ask made before it knew what to refresh once it does', async () => {
    setActivePinia(createPinia());
    const c = counter();
    const refresh = useRefreshStore();
    refresh.schedule();
    await settle(60);
    expect(c.runs).toBe(0);
    refresh.setWork(c.work);
    await settle(100);
    expect(c.runs).toBe(1);
  });

  it('keeps its state per Pinia: a new Pinia is not held up by the old one’s pending refresh', async () => {
    setActivePinia(createPinia());
    const old = counter();
    const first = useRefreshStore();
    first.setWork(old.work);
    first.schedule();
    first.stop();
    setActivePinia(createPinia());
    const fresh = counter();
    const second = useRefreshStore();
    expect(second).not.toBe(first);
    second.setWork(fresh.work);
    second.schedule();
    await settle(100);
    expect(fresh.runs).toBe(1);
    expect(old.runs).toBe(0);
  });
});
