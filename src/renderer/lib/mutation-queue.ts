/**
 * Label changes go to the main side strictly in the order they were made: over HTTP, two
 * requests in flight can overtake each other, and "label, then undo" must never arrive as
 * "undo, then label". A refresh waits until the queue is idle so it never shows a state
 * older than what is already on screen.
 */
export class MutationQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `task` after every task queued before it; resolves or rejects with its outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined).finally(() => this.pending--);
    return result;
  }

  get idle(): boolean {
    return this.pending === 0;
  }
}

/** The renderer's one queue of label mutations. */
export const labelMutations = new MutationQueue();
