/**
 * Selection rules of the photo grid, as pure functions over grid indices so they can be
 * tested without a DOM. Selected photos are kept by id (not index), which is what lets a
 * selection survive scrolling, paging and refetches.
 */
import type { PhotoFilter } from '../../shared/contract';

export interface SelectionState {
  /** Selected photo ids. */
  ids: ReadonlySet<number>;
  /** Grid index a Shift range starts from. */
  anchor: number | null;
  /** Grid index of the keyboard focus. */
  focus: number;
}

export interface ClickModifiers {
  /** Shift: select the range from the anchor. */
  range: boolean;
  /** Ctrl on Linux/Windows, Cmd on macOS: toggle one photo. */
  toggle: boolean;
}

/**
 * Resolves the photo ids of grid indices [from, to] inclusive. Synchronous on purpose: key
 * repeat fires faster than a round trip, and every press must see the previous one's result.
 * The store throws when a page is missing and retries with the query's full id list.
 */
export type IdsInRange = (from: number, to: number) => number[];

export function emptySelection(): SelectionState {
  return { ids: new Set(), anchor: null, focus: 0 };
}

/** What a click on the tile at `index` (photo `id`) does to the selection. */
export function clickSelection(
  state: SelectionState,
  index: number,
  id: number,
  mods: ClickModifiers,
  idsInRange: IdsInRange
): SelectionState {
  if (mods.range && state.anchor !== null) {
    const from = Math.min(state.anchor, index);
    const to = Math.max(state.anchor, index);
    const rangeIds = idsInRange(from, to);
    // Ctrl+Shift adds the range to what is there; plain Shift replaces it.
    const ids = new Set(mods.toggle ? state.ids : []);
    for (const rid of rangeIds) ids.add(rid);
    return { ids, anchor: state.anchor, focus: index };
  }
  if (mods.toggle) {
    const ids = new Set(state.ids);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    return { ids, anchor: index, focus: index };
  }
  return { ids: new Set([id]), anchor: index, focus: index };
}

export interface MoveOptions {
  /** Shift+arrow: extend the selection from the anchor to the new focus. */
  extend: boolean;
  /** Ctrl+arrow: move the focus only, leave the selection alone. */
  keep: boolean;
}

/** Target index of a focus move, clamped to the grid. */
export function movedFocus(focus: number, delta: number, total: number): number {
  if (total <= 0) return 0;
  return Math.min(total - 1, Math.max(0, focus + delta));
}

/** Selection after the keyboard focus moved to grid index `next`. */
export function moveSelection(state: SelectionState, next: number, opts: MoveOptions, idsInRange: IdsInRange): SelectionState {
  if (opts.keep) return { ...state, focus: next };
  if (opts.extend) {
    const anchor = state.anchor ?? state.focus;
    const ids = new Set(idsInRange(Math.min(anchor, next), Math.max(anchor, next)));
    return { ids, anchor, focus: next };
  }
  // A plain move drops the selection: the focus ring alone marks what a hotkey labels next,
  // which keeps "label, arrow, label" free of stray check marks.
  return { ids: new Set(), anchor: next, focus: next };
}

/** Who a label key applies to: the selection, or else the focused photo. */
export function labelTargets(state: SelectionState, focusedId: number | undefined): number[] {
  if (state.ids.size > 0) return [...state.ids];
  return focusedId === undefined ? [] : [focusedId];
}

/** What happened to a photo, for deciding whether it is still in the view (see {@link leavesFilter}). */
export type PhotoChange =
  | { kind: 'label'; classId: number | null; source: 'user' | 'model' }
  /** Its suggestion was turned down. */
  | { kind: 'reject' };

/**
 * True when the change takes a photo out of a view showing this filter. Such photos leave the
 * selection at once: a photo the person can no longer see must never get the next label key.
 */
export function leavesFilter(filter: PhotoFilter, change: PhotoChange): boolean {
  const labeled = change.kind === 'label' && change.classId !== null;
  switch (filter.kind) {
    case 'unlabeled':
      return labeled;
    case 'labeled':
      return change.kind === 'label' && !labeled;
    case 'class':
      return change.kind === 'label' && change.classId !== filter.classId;
    case 'accepted':
      return change.kind === 'label' && (change.classId === null || change.source !== 'model');
    case 'suggested':
    case 'uncertain':
      // Only unlabeled photos with a suggestion are listed: a label or a turned-down suggestion ends that.
      return labeled || change.kind === 'reject';
    default:
      // All, a split, skipped files, a run's mistakes or one of its confusion cells: labels do not move photos out.
      return false;
  }
}
