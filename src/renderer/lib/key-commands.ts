/**
 * Keyboard map of the library and the preview: one pure function from a key press to a
 * command, so the shortcut help, the tests and the handlers all agree on the same table.
 */
import type { ClassDto } from '../../shared/dto';

export type KeyCommand =
  | { type: 'label'; classId: number }
  | { type: 'clear' }
  | { type: 'move'; delta: number; extend: boolean; keep: boolean }
  | { type: 'move-to'; edge: 'first' | 'last'; extend: boolean }
  | { type: 'open-preview' }
  | { type: 'close' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'select-all' }
  | { type: 'help' }
  | { type: 'accept' }
  | { type: 'reject' }
  | { type: 'toggle-heatmap' };

/** The parts of a KeyboardEvent the map looks at. */
export interface KeyPress {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export interface KeyContext {
  /** Tiles per grid row, for up/down. */
  columns: number;
  /** Rows per page, for PageUp/PageDown. */
  pageRows: number;
  /** Lower-cased hotkey → class id. */
  hotkeys: ReadonlyMap<string, number>;
  /** In the preview, left/right step one photo and up/down do nothing. */
  inPreview: boolean;
  /** The focused (or previewed) photo shows a model suggestion: Enter accepts it, 0 turns it down. */
  suggestion?: boolean;
}

function commandKeyCommand(press: KeyPress): KeyCommand | null {
  const key = press.key.toLowerCase();
  if (key === 'z') return press.shiftKey ? { type: 'redo' } : { type: 'undo' };
  if (key === 'y') return { type: 'redo' };
  if (key === 'a') return { type: 'select-all' };
  return null;
}

function arrowDelta(key: string, ctx: KeyContext): number | null {
  const vertical = ctx.inPreview ? 0 : ctx.columns;
  switch (key) {
    case 'ArrowLeft':
      return -1;
    case 'ArrowRight':
      return 1;
    case 'ArrowUp':
      return vertical ? -vertical : null;
    case 'ArrowDown':
      return vertical ? vertical : null;
    case 'PageUp':
      return -Math.max(1, ctx.columns * ctx.pageRows);
    case 'PageDown':
      return Math.max(1, ctx.columns * ctx.pageRows);
    default:
      return null;
  }
}

/** Maps a key press to a command, or null when the key is not ours. */
export function keyCommand(press: KeyPress, ctx: KeyContext): KeyCommand | null {
  const command = press.ctrlKey || press.metaKey;
  if (command) {
    const cmd = commandKeyCommand(press);
    if (cmd) return cmd;
    // Ctrl+arrow moves the focus without touching the selection.
    const delta = ctx.inPreview ? null : arrowDelta(press.key, ctx);
    return delta === null ? null : { type: 'move', delta, extend: false, keep: true };
  }
  if (press.altKey) return null;
  // Shift+H, not H: a plain letter may be a class hotkey.
  if (ctx.inPreview && press.shiftKey && press.key.toLowerCase() === 'h') return { type: 'toggle-heatmap' };
  const delta = arrowDelta(press.key, ctx);
  if (delta !== null) return { type: 'move', delta, extend: press.shiftKey && !ctx.inPreview, keep: false };
  switch (press.key) {
    case 'Home':
      return { type: 'move-to', edge: 'first', extend: press.shiftKey };
    case 'End':
      return { type: 'move-to', edge: 'last', extend: press.shiftKey };
    case 'Enter':
      if (ctx.suggestion) return { type: 'accept' };
      return ctx.inPreview ? null : { type: 'open-preview' };
    case ' ':
      return ctx.inPreview ? null : { type: 'open-preview' };
    case 'Escape':
      return { type: 'close' };
    case '?':
      return { type: 'help' };
    case '0':
    case 'Backspace':
    case 'Delete':
      return ctx.suggestion ? { type: 'reject' } : { type: 'clear' };
  }
  const classId = ctx.hotkeys.get(press.key.toLowerCase());
  return classId === undefined ? null : { type: 'label', classId };
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];

/**
 * Hotkey of every class. A class without its own hotkey gets the lowest digit no other
 * class uses, in panel order, so freshly imported classes are usable at once.
 */
export function effectiveHotkeys(classes: readonly ClassDto[]): Map<number, string> {
  const result = new Map<number, string>();
  const used = new Set<string>();
  for (const c of classes) {
    if (c.hotkey) {
      result.set(c.id, c.hotkey.toLowerCase());
      used.add(c.hotkey.toLowerCase());
    }
  }
  const ordered = [...classes].sort((a, b) => a.position - b.position);
  for (const c of ordered) {
    if (result.has(c.id)) continue;
    const free = DIGITS.find((d) => !used.has(d));
    if (!free) break;
    result.set(c.id, free);
    used.add(free);
  }
  return result;
}

/** Lower-cased hotkey → class id, for {@link keyCommand}. */
export function hotkeyMap(classes: readonly ClassDto[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const [id, key] of effectiveHotkeys(classes)) map.set(key, id);
  return map;
}

/** Rows of the shortcut help, in the order they are shown. */
export const SHORTCUTS: ReadonlyArray<{ keys: string; action: string }> = [
  { keys: '1–9 (class hotkey)', action: 'Label the selection, or the focused photo' },
  { keys: '0 / Backspace / Delete', action: 'Clear the label' },
  { keys: '← → ↑ ↓', action: 'Move the focus (up/down by a row)' },
  { keys: 'Shift + arrows', action: 'Extend the selection' },
  { keys: 'Ctrl/⌘ + arrows', action: 'Move the focus, keep the selection' },
  { keys: 'Home / End, PgUp / PgDn', action: 'Jump to the first / last photo, a screen up / down' },
  { keys: 'Click, Shift-click, Ctrl/⌘-click', action: 'Select one, a range, toggle one' },
  { keys: 'Ctrl/⌘ + A', action: 'Select every photo in the current filter' },
  { keys: 'Enter / Space', action: 'Open the large preview' },
  { keys: 'Enter on a suggestion', action: 'Accept the model’s suggested class (and advance in the preview)' },
  { keys: '0 on a suggestion', action: 'Turn the suggestion down' },
  { keys: 'Hotkey in the preview', action: 'Label the photo and advance to the next' },
  { keys: '← → in the preview', action: 'Previous / next photo' },
  { keys: 'Shift + H in the preview', action: 'Show or hide where the model looks (Grad-CAM heatmap)' },
  { keys: 'Esc', action: 'Close the preview or dialog; clear the selection' },
  { keys: 'Ctrl/⌘ + Z', action: 'Undo the last label change' },
  { keys: 'Shift + Ctrl/⌘ + Z, Ctrl + Y', action: 'Redo' },
  { keys: '?', action: 'Show this help' }
];
