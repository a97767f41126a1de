/**
 * Messages for the person at the keyboard: errors from the API (never a silent blank grid)
 * and short confirmations. Errors stay until dismissed; infos fade on their own.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError, errorMessage } from '../api';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  message: string;
  /** Error code from the API, when there is one. */
  code: string | null;
}

/** How long an info notice stays, ms. */
const INFO_MS = 3500;

export const useNoticesStore = defineStore('notices', () => {
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  function push(kind: Notice['kind'], message: string, code: string | null = null): number {
    // The same failure repeated (e.g. every page of a dead server) shows once.
    const same = notices.value.find((n) => n.message === message && n.kind === kind);
    if (same) return same.id;
    const id = nextId++;
    notices.value = [...notices.value, { id, kind, message, code }];
    if (kind === 'info') setTimeout(() => dismiss(id), INFO_MS);
    return id;
  }

  function error(err: unknown, context?: string): number {
    const code = err instanceof ApiError ? err.code : null;
    const text = errorMessage(err);
    return push('error', context ? `${context}: ${text}` : text, code);
  }

  function info(message: string): number {
    return push('info', message);
  }

  function dismiss(id: number): void {
    notices.value = notices.value.filter((n) => n.id !== id);
  }

  return { notices, error, info, dismiss };
});
