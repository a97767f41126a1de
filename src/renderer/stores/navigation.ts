/**
 * Which view the frame shows (Library, Train, Runs, Explain), and the hand-over from the training
 * views to the library: a confusion-matrix cell or "Mistakes" opens the grid on a filter.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PhotoFilter } from '../../shared/contract';
import { useLibraryStore } from './library';
import { useSelectionStore } from './selection';

export type AppView = 'library' | 'train' | 'runs' | 'explain';

export const useNavigationStore = defineStore('navigation', () => {
  const view = ref<AppView>('library');
  /** The view the library was opened from, for its "Back" link; null when opened by its tab. */
  const cameFrom = ref<AppView | null>(null);

  function show(next: AppView): void {
    if (next === 'library') cameFrom.value = null;
    view.value = next;
  }

  /** Shows the library filtered to these photos, remembering where the person came from. */
  function openLibrary(filter: PhotoFilter): void {
    const from = view.value === 'library' ? null : view.value;
    useSelectionStore().reset();
    useLibraryStore().setQuery({ filter });
    view.value = 'library';
    cameFrom.value = from;
  }

  function back(): void {
    if (cameFrom.value) view.value = cameFrom.value;
    cameFrom.value = null;
  }

  return { view, cameFrom, show, openLibrary, back };
});
