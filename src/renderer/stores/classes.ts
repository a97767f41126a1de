/**
 * The project's classes, in panel order, with their effective hotkeys.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ClassDto } from '../../shared/dto';
import { invoke } from '../api';
import { effectiveHotkeys, hotkeyMap } from '../lib/key-commands';
import { photos, useHistoryStore } from './history';
import { useLabelDeltaStore } from './label-delta';
import { useNoticesStore } from './notices';

/** Distinct, readable on light and dark, in the order new classes take them. */
export const CLASS_PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42a5b3', '#f032e6', '#9a9a2b', '#c0712f', '#6b7a8f'];

export const useClassesStore = defineStore('classes', () => {
  const notices = useNoticesStore();
  const classes = ref<ClassDto[]>([]);
  // A label change's answer and event bring the per-class counts.
  useLabelDeltaStore().onCounts((counts) => {
    classes.value = classes.value.map((c) => ({ ...c, count: counts.classes[c.id] ?? c.count }));
  });
  const ordered = computed(() => [...classes.value].sort((a, b) => a.position - b.position));
  const byId = computed(() => new Map(classes.value.map((c) => [c.id, c])));
  const hotkeys = computed(() => effectiveHotkeys(classes.value));
  const keyToClass = computed(() => hotkeyMap(classes.value));

  async function load(): Promise<void> {
    try {
      classes.value = await invoke('classes:list');
    } catch (err) {
      notices.error(err, 'Could not list the classes');
    }
  }

  /** Runs a change, reports a failure, and reloads the list either way. */
  async function change<T>(what: string, run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (err) {
      notices.error(err, what);
      return null;
    } finally {
      await load();
    }
  }

  function nextColor(): string {
    const used = new Set(classes.value.map((c) => c.color.toLowerCase()));
    return CLASS_PALETTE.find((c) => !used.has(c)) ?? CLASS_PALETTE[classes.value.length % CLASS_PALETTE.length];
  }

  function nextHotkey(): string | null {
    const used = new Set(hotkeys.value.values());
    return ['1', '2', '3', '4', '5', '6', '7', '8', '9'].find((d) => !used.has(d)) ?? null;
  }

  function add(name: string): Promise<ClassDto | null> {
    return change('Could not add the class', () => invoke('classes:add', { name, color: nextColor(), hotkey: nextHotkey() }));
  }

  function update(id: number, patch: { name?: string; color?: string; hotkey?: string | null }): Promise<ClassDto | null> {
    return change('Could not change the class', () => invoke('classes:update', { id, ...patch }));
  }

  function reorder(ids: number[]): Promise<ClassDto[] | null> {
    // Show the new order at once; the reload after the call confirms it.
    const pos = new Map(ids.map((id, i) => [id, i]));
    classes.value = classes.value.map((c) => ({ ...c, position: pos.get(c.id) ?? c.position }));
    return change('Could not reorder the classes', () => invoke('classes:reorder', { ids }));
  }

  /** Deletes a class and its labels; the message offers Undo, which brings both back. */
  async function remove(id: number): Promise<{ removedLabels: number } | null> {
    const name = byId.value.get(id)?.name ?? 'the class';
    const result = await change('Could not delete the class', () => invoke('classes:delete', { id }));
    if (result) {
      const labels = result.removedLabels === 0 ? '' : ` and the labels of ${photos(result.removedLabels)}`;
      useHistoryStore().announce(`Deleted the class “${name}”${labels}.`, result.undoStep, `deleting the class “${name}”`, load);
    }
    return result;
  }

  /** Moves a class's labels into another and deletes it; the message offers Undo. */
  async function merge(sourceId: number, targetId: number): Promise<ClassDto | null> {
    const source = byId.value.get(sourceId);
    const result = await change('Could not merge the classes', () => invoke('classes:merge', { sourceId, targetId }));
    if (result) {
      const moved = source && source.count > 0 ? `: ${photos(source.count)} moved` : '';
      const what = `merging “${source?.name ?? 'the class'}” into “${result.name}”`;
      useHistoryStore().announce(`Merged “${source?.name ?? 'the class'}” into “${result.name}”${moved}.`, result.undoStep, what, load);
    }
    return result;
  }

  return { classes, ordered, byId, hotkeys, keyToClass, load, add, update, reorder, remove, merge };
});
