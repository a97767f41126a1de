/**
 * One coalesced refresh of what the renderer shows: every change (pushed events, our own label
 * changes) asks for it, and asks in a burst make one refresh. What a refresh does is given by
 * the sync store (sync.ts), which knows every other store; this store knows none, so any store
 * can ask for a refresh without an import cycle. Its state lives in the Pinia instance, so a
 * new Pinia (a reload, a test) starts without a timer or a refresh in flight.
 */
import { defineStore } from 'pinia';
import { labelMutations } from '../lib/mutation-queue';

/** Changes arriving within this window share one refresh, ms. */
const COALESCE_MS = 30;

export const useRefreshStore = defineStore('refresh', () => {
  let work: (() => Promise<void>) | null = null;
  /** Asked for before there was any work to do. */
  let pending = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  /** What a refresh does; set once by the sync store. */
  function setWork(fn: () => Promise<void>): void {
    work = fn;
    if (pending) schedule();
  }

  /** Asks for a refresh soon; many asks in a burst make one refresh. */
  function schedule(): void {
    if (work === null) {
      pending = true;
      return;
    }
    pending = false;
    if (running) {
      again = true;
      return;
    }
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      // A label change still in flight would be missing from the refetch; wait for it.
      if (!labelMutations.idle) {
        schedule();
        return;
      }
      running = (work as () => Promise<void>)().finally(() => {
        running = null;
        if (again) {
          again = false;
          schedule();
        }
      });
    }, COALESCE_MS);
  }

  /** Stops a refresh that is only scheduled (the app is going away). */
  function stop(): void {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  return { setWork, schedule, stop };
});

/** Asks for a refresh soon (see useRefreshStore). */
export function scheduleRefresh(): void {
  useRefreshStore().schedule();
}
