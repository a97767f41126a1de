/**
 * Messages for the person at the keyboard: errors from the API (never a silent blank grid)
 * and short confirmations. Errors stay until dismissed; infos fade on their own.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError, errorMessage } from '../api';

/** A button on a notice, e.g. Undo on the message of a bulk change. */
export interface NoticeAction {
  label: string;
  run: () => unknown;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** Error code from the API, when there is one. */
  code: string | null;
  action: NoticeAction | null;
}

/** How long an info notice stays, ms. */
const INFO_MS = 3500;
/** One with a button stays longer: there must be time to read it and press Undo. */
const ACTION_MS = 10_000;

export const useNoticesStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  function push(kind: Notice['kind'], message: string, code: string | null = null, action: NoticeAction | null = null): number {
    // The same failure repeated (e.g. every page of a dead server) shows once; a message with
    // its own button (each change its own Undo) replaces the older one.
    const same = notices.value.find((n) => n.message === message && n.kind === kind);
    if (same && !action) return same.id;
    if (same) dismiss(same.id);
    const id = nextId++;
    notices.value = [...notices.value, { id, kind, message, code, action }];
    if (kind === 'info') setTimeout(() => dismiss(id), action ? ACTION_MS : INFO_MS);
    return id;
  }

  function error(err: unknown, context?: string): number {
    const code = err instanceof ApiError ? err.code : null;
    const text = errorMessage(err);
    return push('error', context ? `${context}: ${text}` : text, code);
  }

  function info(message: string, action?: NoticeAction): number {
    return push('info', message, null, action ?? null);
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  return { notices, error, info, dismiss };
});
