/** The Folders list (a folder gone from disk is marked; removing one asks first), import wording, chip text contrast. */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { FolderDto, ImportResult } from '../../src/shared/dto';
import { setTransport } from '../../src/renderer/api';
import FolderList from '../../src/renderer/components/FolderList.vue';
import { readableTextOn } from '../../src/renderer/lib/color';
import { importSummary, rescanSummary, useProjectStore } from '../../src/renderer/stores/project';
import { createFakeBackend } from './fake-transport';

const FOLDERS: FolderDto[] = [
  { id: 1, path: '/photos/garden', classesFromFolders: false, lastScanAt: 1, present: true, photoCount: 40 },
  { id: 2, path: '/media/usb/trip', classesFromFolders: false, lastScanAt: 1, present: false, photoCount: 12 }
];

function result(partial: Partial<ImportResult>): ImportResult {
  return {
    folderId: 1,
    photos: 0,
    added: 0,
    removed: 0,
    updated: 0,
    moved: 0,
    duplicates: 0,
    classes: {},
    splits: {},
    skipped: [],
    elapsedMs: 1,
    ...partial
  };
}

describe('FolderList', () => {
  it('marks a folder that is gone from the disk', () => {
    setActivePinia(createPinia());
    useProjectStore().folders = FOLDERS;
    const wrapper = mount(FolderList, { attachTo: document.body });
    const items = wrapper.findAll('[data-testid="folder-item"]');
    expect(items.map((i) => i.attributes('data-present'))).toEqual(['true', 'false']);
    expect(items[1].find('[data-testid="folder-missing"]').text()).toBe('not found');
    expect(items[0].find('[data-testid="folder-missing"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('removes a folder only after a confirmation that says how many photos leave', async () => {
    const backend = createFakeBackend(0);
    setTransport({
      ...backend.transport,
      invoke: async (channel, req) => {
        backend.calls.push({ channel, req: (req ?? {}) as Record<string, unknown> });
        return channel === 'folders:remove' ? { ok: true, data: { removedPhotos: 12 } } : backend.transport.invoke(channel, req);
      }
    });
    setActivePinia(createPinia());
    useProjectStore().folders = FOLDERS;
    const wrapper = mount(FolderList, { attachTo: document.body });
    await wrapper.findAll('[data-testid="folder-remove"]')[1].trigger('click');
    expect(document.body.querySelector('[data-testid="confirm-remove-folder-text"]')?.textContent).toContain(
      '12 photos from “/media/usb/trip”'
    );
    expect(backend.callsOf('folders:remove')).toEqual([]);
    (document.body.querySelector('[data-testid="confirm-remove-folder-submit"]') as HTMLButtonElement).click();
    await flushPromises();
    expect(backend.callsOf('folders:remove')).toEqual([{ folderId: 2 }]);
    wrapper.unmount();
  });
});

describe('import and rescan wording', () => {
  it('says how many photos were duplicates or unreadable', () => {
    const skipped: ImportResult['skipped'] = [{ path: '/photos/a.jpg', reason: 'not an image' }];
    expect(importSummary(result({ added: 0, duplicates: 3, skipped }))).toBe(
      'Imported 0 photos; 3 exact duplicates of photos already in the project left out; 1 unreadable (see Skipped files).'
    );
  });

  it('sums a rescan and points at missing folders', () => {
    expect(rescanSummary([result({ added: 2 }), result({ removed: 1 })], 1)).toBe(
      'Rescanned 2 folders: 2 new photos, 1 photo gone. 1 folder could not be found — see Folders.'
    );
    expect(rescanSummary([result({})], 0)).toBe('Rescanned 1 folder: nothing changed.');
  });
});

describe('label chip text', () => {
  it('is dark on light class colors and white on dark ones', () => {
    expect(readableTextOn('#edc948')).toBe('#111827');
    expect(readableTextOn('#ff9da7')).toBe('#111827');
    expect(readableTextOn('#4e79a7')).toBe('#ffffff');
    expect(readableTextOn('#1f77b4')).toBe('#ffffff');
    expect(readableTextOn('not a color')).toBe('#ffffff');
  });
});
