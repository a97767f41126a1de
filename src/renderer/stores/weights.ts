/**
 * Backbone weights from the Train view: downloading a backbone's weights (a long job on the main
 * side: 'models:download' answers at once, 'models:download-progress' and
 * 'models:download-finished' carry the rest, to every window), and the one weights control: a file or folder the person names is
 * checked at once ('models:check-weights'); a Keras .h5 for a known backbone is copied in so it
 * stays ready, anything else that fits is used as the run's weights.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DownloadFinished, DownloadProgress, WeightsCheck } from '../../shared/dto';
import { errorMessage, invoke } from '../api';
import { useNoticesStore } from './notices';
import { useTrainingStore } from './training';

export const useWeightsStore = defineStore('weights', () => {
  const notices = useNoticesStore();
  const training = useTrainingStore();
  /** Backbone whose download runs, with its latest progress. */
  const download = ref<DownloadProgress | null>(null);
  const downloadError = ref<string | null>(null);
  const check = ref<WeightsCheck | null>(null);
  const checking = ref(false);

  function onDownloadProgress(p: DownloadProgress): void {
    download.value = p;
  }

  async function onDownloadFinished(f: DownloadFinished): Promise<void> {
    if (download.value?.backboneId === f.backboneId) download.value = null;
    if (f.status === 'failed') {
      downloadError.value = f.error;
      // A cut-off transfer leaves a part on disk: the button then offers to resume it.
      await training.loadEngine();
      return;
    }
    // As with an imported file: weights someone fetched on purpose are what the next run uses,
    // unless another network was chosen meanwhile (Automatic would keep the smaller one on a CPU).
    const chosen = !training.options.backboneId;
    if (chosen) training.options.backboneId = f.backboneId;
    notices.info(`${f.backbone?.displayName ?? f.backboneId} is ready${chosen ? ' and chosen for the next run' : ''}.`);
    await training.loadEngine();
  }

  /** Starts the download; its progress and end arrive as events (see sync.ts). */
  async function startDownload(backboneId: string): Promise<void> {
    if (download.value) return;
    download.value = { backboneId, received: 0, total: null };
    downloadError.value = null;
    try {
      await invoke('models:download', { backboneId });
    } catch (err) {
      download.value = null;
      downloadError.value = errorMessage(err);
    }
  }

  /** Checks what the person chose; returns true when it can be used. */
  async function choose(path: string): Promise<boolean> {
    const chosen = path.trim();
    check.value = null;
    if (!chosen) {
      training.options.weightsPath = '';
      return true;
    }
    checking.value = true;
    try {
      check.value = await invoke('models:check-weights', { path: chosen, backboneId: training.options.backboneId || undefined });
      if (!check.value.ok) return false;
      const manifest = training.backbones.find((b) => b.id === check.value?.backboneId && !b.bundled);
      if (manifest && /\.h5$/i.test(chosen)) return await keep(manifest.id, chosen);
      training.options.weightsPath = chosen;
      return true;
    } catch (err) {
      check.value = { ok: false, backboneId: null, network: null, message: errorMessage(err) };
      return false;
    } finally {
      checking.value = false;
    }
  }

  /** Copies a checked .h5 in for its backbone (loaded strictly first), so it is ready from now on. */
  async function keep(backboneId: string, path: string): Promise<boolean> {
    const status = await invoke('models:import-weights', { backboneId, path });
    notices.info(`${status.displayName} is ready (copied from ${path}).`);
    training.options.weightsPath = '';
    training.options.backboneId = backboneId;
    await training.loadEngine();
    return true;
  }

  return { download, downloadError, check, checking, onDownloadProgress, onDownloadFinished, startDownload, choose };
});
