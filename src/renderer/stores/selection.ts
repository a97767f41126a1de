/**
 * Selection and keyboard focus in the grid. Selected photos are held by id, so the selection
 * survives scrolling and page refetches; the focus is a grid index.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import {
  clickSelection,
  emptySelection,
  labelTargets,
  leavesFilter,
  movedFocus,
  moveSelection,
  type ClickModifiers,
  type IdsInRange,
  type MoveOptions,
  type PhotoChange,
  type SelectionState
} from '../lib/selection-rules';
import { MissingPages, useLibraryStore } from './library';
import { useNoticesStore } from './notices';

export const useSelectionStore = defineStore('selection', () => {
  const library = useLibraryStore();
  const notices = useNoticesStore();
  const state = ref<SelectionState>(emptySelection());
  const ids = computed(() => state.value.ids);
  const focus = computed(() => state.value.focus);
  const count = computed(() => state.value.ids.size);
  /** Bumped when the focus moves by keyboard, so the grid scrolls it into view. */
  const focusRequest = ref(0);
  // Photos that left the view (labeled in Unlabeled, …) can leave the focus past the end: keep it on the last one.
  watch(
    () => library.total,
    (total) => {
      if (total > 0 && state.value.focus >= total) state.value = { ...state.value, focus: total - 1 };
    }
  );

  function isSelected(id: number): boolean {
    return state.value.ids.has(id);
  }

  /**
   * Applies a selection rule at once from the held pages; when a range reaches pages that
   * are not held, fetches the query's id list and applies it again.
   */
  async function apply(rule: (idsInRange: IdsInRange) => SelectionState): Promise<void> {
    try {
      state.value = rule(library.idsInRange);
      return;
    } catch (err) {
      if (!(err instanceof MissingPages)) throw err;
    }
    try {
      const all = await library.allIds();
      state.value = rule((from, to) => all.slice(from, to + 1));
    } catch (err) {
      notices.error(err, 'Could not select the range');
    }
  }

  function click(index: number, id: number, mods: ClickModifiers): Promise<void> {
    return apply((range) => clickSelection(state.value, index, id, mods, range));
  }

  function moveTo(next: number, opts: MoveOptions): Promise<void> {
    const target = movedFocus(next, 0, library.total);
    focusRequest.value++;
    return apply((range) => moveSelection(state.value, target, opts, range));
  }

  function moveBy(delta: number, opts: MoveOptions): Promise<void> {
    return moveTo(movedFocus(state.value.focus, delta, library.total), opts);
  }

  async function selectAll(): Promise<void> {
    try {
      const all = await library.allIds();
      state.value = { ...state.value, ids: new Set(all) };
    } catch (err) {
      notices.error(err, 'Could not select all');
    }
  }

  function clear(): void {
    state.value = { ...state.value, ids: new Set(), anchor: null };
  }

  /** A new query: the old selection could hold photos the person no longer sees. */
  function reset(): void {
    state.value = emptySelection();
  }

  function setFocus(index: number): void {
    state.value = { ...state.value, focus: movedFocus(index, 0, library.total) };
  }

  /**
   * These photos were just changed: those the change takes out of the current view leave the
   * selection at once (before any refetch), so the next key acts on what is on screen.
   */
  function changed(ids: readonly number[], change: PhotoChange): void {
    if (state.value.ids.size === 0 || !leavesFilter(library.query.filter, change)) return;
    const kept = new Set(state.value.ids);
    for (const id of ids) kept.delete(id);
    if (kept.size !== state.value.ids.size) state.value = { ...state.value, ids: kept, anchor: kept.size ? state.value.anchor : null };
  }

  /**
   * Keeps only selected photos the current query still lists, asked of the main side after a
   * change it has answered (an undo, or a change the rules above cannot foresee).
   */
  async function pruneToQuery(): Promise<void> {
    if (state.value.ids.size === 0) return;
    const asked = library.query;
    try {
      const visible = new Set(await library.freshIds());
      if (library.query !== asked) return;
      const kept = new Set([...state.value.ids].filter((id) => visible.has(id)));
      if (kept.size !== state.value.ids.size) state.value = { ...state.value, ids: kept };
    } catch (err) {
      notices.error(err, 'Could not check the selection');
    }
  }

  /** Photos a label key applies to. */
  function targets(): number[] {
    return labelTargets(state.value, library.itemAt(state.value.focus)?.id);
  }

  return {
    state,
    ids,
    focus,
    count,
    focusRequest,
    isSelected,
    click,
    moveTo,
    moveBy,
    selectAll,
    clear,
    reset,
    setFocus,
    targets,
    changed,
    pruneToQuery
  };
});
