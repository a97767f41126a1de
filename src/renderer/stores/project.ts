/**
 * The open project: its name, folders, counts, and the progress of a running import.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { FolderDto, ImportProgress, ImportResult, ProjectInfo, ProjectStats } from '../../shared/dto';
import { ApiError, errorMessage, invoke, transport } from '../api';
import { useNoticesStore } from './notices';

/** Without a new report for this long, an import's progress is no longer shown, ms. */
const PROGRESS_IDLE_MS = 4000;

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
      loadError.value =
        err instanceof ApiError && err.code === 'UNAUTHORIZED'
          ? 'This page has no valid access token. Open the address that "npm run serve" printed (it ends in ?token=…).'
          : err instanceof Error
            ? err.message
            : String(err);
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

  /** Imports a folder; a failure comes back as text for the dialog to show beside the path it is about. */
  async function addFolder(path: string, classesFromFolders: boolean): Promise<ImportResult | { error: string }> {
    importing.value = true;
    try {
      const result = await invoke('folders:add', { path, classesFromFolders });
      notices.info(importSummary(result));
      await Promise.all([refreshStats(), refreshFolders()]);
      return result;
    } catch (err) {
      return { error: errorMessage(err) };
    } finally {
      importing.value = false;
      progress.value = null;
    }
  }

  async function rescan(): Promise<void> {
    importing.value = true;
    try {
      const results = await invoke('folders:rescan', {});
      await Promise.all([refreshStats(), refreshFolders()]);
      notices.info(rescanSummary(results, folders.value.filter((f) => !f.present).length));
    } catch (err) {
      notices.error(err, 'Could not rescan');
    } finally {
      importing.value = false;
      progress.value = null;
    }
  }

  /** Takes a folder out of the project (its photos and their labels); nothing on disk changes. */
  async function removeFolder(folderId: number): Promise<boolean> {
    try {
      const { removedPhotos } = await invoke('folders:remove', { folderId });
      notices.info(`Removed the folder and its ${plural(removedPhotos, 'photo')} from the project.`);
      await Promise.all([refreshStats(), refreshFolders()]);
      return true;
    } catch (err) {
      notices.error(err, 'Could not remove the folder');
      return false;
    }
  }

  let progressTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Shows an import's progress. Thumbnails are the last phase of each folder: once they are done
   * (0 of 0 when none were missing) the bar goes, and so does one nobody reports on any more
   * (a background rescan has no answer that would clear it).
   */
  function setProgress(p: ImportProgress): void {
    if (progressTimer) clearTimeout(progressTimer);
    const ended = p.phase === 'thumbnails' && p.done >= p.total;
    progress.value = ended ? null : p;
    if (!ended && !importing.value) progressTimer = setTimeout(() => (progress.value = null), PROGRESS_IDLE_MS);
  }

  return {
    project,
    stats,
    folders,
    progress,
    importing,
    loadError,
    loaded,
    transportKind,
    load,
    refreshStats,
    refreshFolders,
    openOrCreate,
    addFolder,
    rescan,
    removeFolder,
    setProgress
  };
});

function plural(n: number, word: string): string {
  return `${new Intl.NumberFormat().format(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** "Imported 12 photos; 3 already in the project; 2 unreadable (see Skipped files)." */
export function importSummary(result: ImportResult): string {
  const parts = [`Imported ${plural(result.added, 'photo')}`];
  if (result.duplicates) parts.push(`${plural(result.duplicates, 'exact duplicate')} of photos already in the project left out`);
  if (result.skipped.length) parts.push(`${new Intl.NumberFormat().format(result.skipped.length)} unreadable (see Skipped files)`);
  return `${parts.join('; ')}.`;
}

/** What a rescan of every folder changed, and how many folders could not be found. */
export function rescanSummary(results: ImportResult[], missing: number): string {
  const sum = (key: 'added' | 'removed' | 'updated' | 'moved'): number => results.reduce((n, r) => n + r[key], 0);
  const changes = [
    sum('added') && `${plural(sum('added'), 'new photo')}`,
    sum('removed') && `${plural(sum('removed'), 'photo')} gone`,
    sum('updated') && `${plural(sum('updated'), 'photo')} changed`,
    sum('moved') && `${plural(sum('moved'), 'photo')} moved`
  ].filter(Boolean);
  const head = `Rescanned ${plural(results.length, 'folder')}: ${changes.length ? changes.join(', ') : 'nothing changed'}.`;
  return missing ? `${head} ${plural(missing, 'folder')} could not be found — see Folders.` : head;
}
