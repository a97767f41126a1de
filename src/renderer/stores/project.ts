/**
 * The open project: its name, folders, counts, and the progress of a running import.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { FolderDto, ImportProgress, ImportResult, ProjectInfo, ProjectStats } from '../../shared/dto';
import { ApiError, invoke, transport } from '../api';
import { useNoticesStore } from './notices';

export const useProjectStore = defineStore('project', () => {
  const notices = useNoticesStore();
  const project = ref<ProjectInfo | null>(null);
  const stats = ref<ProjectStats | null>(null);
  const folders = ref<FolderDto[]>([]);
  const progress = ref<ImportProgress | null>(null);
  const importing = ref(false);
  /** Set when the project could not be loaded at all; the frame shows it instead of a grid. */
  const loadError = ref<string | null>(null);
  const loaded = ref(false);
  const transportKind = computed(() => transport.kind);

  /** Reads the open project; `onOpen` runs as soon as it is known, before the counts arrive. */
  async function load(onOpen?: () => void): Promise<void> {
    try {
      project.value = await invoke('project:current');
      loadError.value = null;
      if (project.value) onOpen?.();
      if (project.value) await Promise.all([refreshStats(), refreshFolders()]);
    } catch (err) {
      loadError.value = err instanceof ApiError && err.code === 'UNAUTHORIZED'
        ? 'This page has no valid access token. Open the address that "npm run serve" printed (it ends in ?token=…).'
        : err instanceof Error ? err.message : String(err);
    } finally {
      loaded.value = true;
    }
  }

  async function refreshStats(): Promise<void> {
    if (!project.value) return;
    try {
      stats.value = await invoke('stats:get');
    } catch (err) {
      notices.error(err, 'Could not read the counts');
    }
  }

  async function refreshFolders(): Promise<void> {
    if (!project.value) return;
    try {
      folders.value = await invoke('folders:list');
    } catch (err) {
      notices.error(err, 'Could not list the folders');
    }
  }

  async function openOrCreate(path: string, create: boolean): Promise<boolean> {
    try {
      project.value = await invoke(create ? 'project:create' : 'project:open', { path });
      loadError.value = null;
      await Promise.all([refreshStats(), refreshFolders()]);
      return true;
    } catch (err) {
      notices.error(err, create ? 'Could not create the project' : 'Could not open the project');
      return false;
    }
  }

  async function addFolder(path: string, classesFromFolders: boolean): Promise<ImportResult | null> {
    importing.value = true;
    try {
      const result = await invoke('folders:add', { path, classesFromFolders });
      const skipped = result.skipped.length ? `, ${result.skipped.length} skipped` : '';
      notices.info(`Imported ${result.added} photos${skipped}.`);
      await Promise.all([refreshStats(), refreshFolders()]);
      return result;
    } catch (err) {
      notices.error(err, 'Could not add the folder');
      return null;
    } finally {
      importing.value = false;
      progress.value = null;
    }
  }

  async function rescan(): Promise<void> {
    importing.value = true;
    try {
      await invoke('folders:rescan', {});
      await Promise.all([refreshStats(), refreshFolders()]);
    } catch (err) {
      notices.error(err, 'Could not rescan');
    } finally {
      importing.value = false;
      progress.value = null;
    }
  }

  function setProgress(p: ImportProgress): void {
    progress.value = p;
  }

  return {
    project, stats, folders, progress, importing, loadError, loaded, transportKind,
    load, refreshStats, refreshFolders, openOrCreate, addFolder, rescan, setProgress
  };
});
