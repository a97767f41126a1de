/**
 * The explain jobs in the training process: a backbone's conv layers, filter images (each sent
 * as soon as it is made, cancellable between ascent steps), and Grad-CAM of one photo.
 */
import { initBackend } from '../engine/index';
import { explainPhotos, filterLayers, loadCamModel, loadFilterModel, visualizeFilters } from '../engine/explain/index';
import type { MainToWorker, WorkerToMain } from './protocol';

type Job<T extends MainToWorker['type']> = Extract<MainToWorker, { type: T }>;

export interface ExplainPort {
  send(msg: WorkerToMain): Promise<void>;
  shouldStop(): boolean;
}

export async function explainLayers(msg: Job<'explain-layers'>): Promise<WorkerToMain> {
  await initBackend();
  const model = await loadFilterModel(msg);
  try {
    return { type: 'layers', backboneId: model.id, inputSize: model.inputSize, layers: filterLayers(model) };
  } finally {
    model.dispose();
  }
}

export async function explainFilters(msg: Job<'explain-filters'>, port: ExplainPort): Promise<WorkerToMain> {
  await initBackend();
  const model = await loadFilterModel(msg);
  try {
    const run = await visualizeFilters(
      model,
      { layer: msg.layer, filters: msg.filters, cacheDir: msg.cacheDir, settings: msg.steps === undefined ? {} : { steps: msg.steps } },
      {
        // Awaited: each image is on its way before the next batch starts.
        onFilter: (image) => port.send({ type: 'filter-image', image }),
        onProgress: (progress) => void port.send({ type: 'filter-progress', progress }),
        shouldStop: () => port.shouldStop()
      }
    );
    return run.cancelled ? { type: 'cancelled' } : { type: 'filters-done', filters: run.filters.length };
  } finally {
    model.dispose();
  }
}

export async function explainPhoto(msg: Job<'explain-photo'>): Promise<WorkerToMain> {
  await initBackend();
  const model = await loadCamModel(msg.modelDir);
  try {
    const run = await explainPhotos(model, [msg.path], { renderSize: msg.renderSize, render: 'photo', className: msg.className });
    const failure = run.failed[0];
    if (failure) return { type: 'error', code: 'IO_ERROR', message: failure.reason };
    const e = run.explanations[0];
    return {
      type: 'explained',
      explanation: {
        labels: model.labels,
        probs: e.probs,
        classIndex: e.classIndex,
        cam: e.cam,
        camLayer: e.camLayer,
        png: e.png as Uint8Array,
        renderSize: e.renderSize
      }
    };
  } finally {
    model.dispose();
  }
}
