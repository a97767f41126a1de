/** Selection rules in the grid: click, Shift range, Ctrl/Cmd toggle, select-all, and that it survives scrolling. */
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import { useLibraryStore } from '../../src/renderer/stores/library';
import { useSelectionStore } from '../../src/renderer/stores/selection';
import { createFakeBackend, resetFakeHistory, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;

async function setup(count: number) {
  backend = createFakeBackend(count);
  setTransport(backend.transport);
  setActivePinia(createPinia());
  resetFakeHistory();
  const library = useLibraryStore();
  library.ensureRange(0, 50);
  await settle();
  return { library, selection: useSelectionStore() };
}

function selected(): number[] {
  return [...useSelectionStore().ids].sort((a, b) => a - b);
}

describe('grid selection', () => {
  beforeEach(() => setTransport(createFakeBackend(0).transport));

  it('a plain click selects only the clicked photo', async () => {
    const { selection } = await setup(30);
    await selection.click(3, 4, { range: false, toggle: false });
    await selection.click(7, 8, { range: false, toggle: false });
    expect(selected()).toEqual([8]);
  });

  it('Shift-click selects the range from the last click, in either direction', async () => {
    const { selection } = await setup(30);
    await selection.click(10, 11, { range: false, toggle: false });
    await selection.click(6, 7, { range: true, toggle: false });
    expect(selected()).toEqual([7, 8, 9, 10, 11]);
    await selection.click(12, 13, { range: true, toggle: false });
    expect(selected()).toEqual([11, 12, 13]);
  });

  it('Ctrl/Cmd-click toggles one photo and keeps the rest', async () => {
    const { selection } = await setup(30);
    await selection.click(0, 1, { range: false, toggle: false });
    await selection.click(4, 5, { range: false, toggle: true });
    await selection.click(9, 10, { range: false, toggle: true });
    expect(selected()).toEqual([1, 5, 10]);
    await selection.click(4, 5, { range: false, toggle: true });
    expect(selected()).toEqual([1, 10]);
  });

  it('Ctrl+Shift-click adds a range to the existing selection', async () => {
    const { selection } = await setup(30);
    await selection.click(0, 1, { range: false, toggle: false });
    await selection.click(5, 6, { range: false, toggle: true });
    await selection.click(7, 8, { range: true, toggle: true });
    expect(selected()).toEqual([1, 6, 7, 8]);
  });

  it('select-all takes every photo of the current filter from photos:ids, not from loaded pages', async () => {
    const { library, selection } = await setup(1000);
    library.setQuery({ search: '00' });
    library.ensureRange(0, 10);
    await settle();
    await selection.selectAll();
    const expected = backend.photos.filter((p) => p.name.includes('00')).map((p) => p.id);
    expect(selected()).toEqual(expected);
    expect(backend.callsOf('photos:ids').at(-1)).toMatchObject({ search: '00' });
    // Only the first page of each of the two queries was ever held as records.
    expect(library.heldRecords()).toBeLessThanOrEqual(2 * 200);
  });

  it('a Shift range reaching photos whose pages are not loaded still covers every index', async () => {
    const { selection } = await setup(2000);
    await selection.click(5, 6, { range: false, toggle: false });
    await selection.click(1500, 1501, { range: true, toggle: false });
    expect(selected()).toHaveLength(1496);
    expect(selected()[0]).toBe(6);
    expect(selected().at(-1)).toBe(1501);
  });

  it('the selection survives scrolling far away and back (pages evicted and refetched)', async () => {
    const { library, selection } = await setup(20_000);
    await selection.click(2, 3, { range: false, toggle: false });
    await selection.click(4, 5, { range: false, toggle: true });
    for (let start = 0; start < 20_000; start += 1000) {
      library.ensureRange(start, start + 60);
      await settle(5);
    }
    library.ensureRange(0, 60);
    await settle();
    expect(selected()).toEqual([3, 5]);
    expect(library.heldRecords()).toBeLessThanOrEqual(12 * 200);
  });

  it('changing the filter clears a selection the person can no longer see', async () => {
    const { selection } = await setup(30);
    await selection.click(0, 1, { range: false, toggle: false });
    selection.reset();
    expect(selection.count).toBe(0);
  });
});
