import type { EventMap, EventName } from '../../shared/contract';

type Listener<E extends EventName> = (payload: EventMap[E]) => void;

/** Typed publish/subscribe for the events every transport forwards to its clients. */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      // A failing subscriber (e.g. a closed HTTP stream) must not break the emitter or its peers.
      try {
        (fn as Listener<E>)(payload);
      } catch (err) {
        console.error(`event listener for ${event} failed:`, err);
      }
    }
  }

  /** Subscribes; the returned function unsubscribes. */
  on<E extends EventName>(event: E, fn: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(fn as Listener<EventName>);
    return () => {
      set.delete(fn as Listener<EventName>);
    };
  }
}
