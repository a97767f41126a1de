/**
 * The explain jobs in the training process: a backbone's conv layers, filter images (each sent
 * as soon as it is made, cancellable between ascent steps), and a session answering Grad-CAMs.
 */
import { initBackend } from '../engine/index';
import { toErrorPayload } from '../../shared/errors';
import {
  explainPhotos,
  filterLayers,
  loadCamModel,
  loadFilterModel,
  loadRunFilterModel,
  networkName,
  visualizeFilters,
  type CamModel,
  type FilterModel
} from '../engine/explain/index';
import type { ExplainNextMessage } from './explain-protocol';
import type { MainToWorker, WorkerToMain } from './protocol';

type Job<T extends MainToWorker['type']> = Extract<MainToWorker, { type: T }>;

export interface ExplainPort {
  send(msg: WorkerToMain): Promise<void>;
  shouldStop(): boolean;
}

/** The pretrained backbone, or a fine-tuned run's own network when the job names its model folder. */
function loadModel(msg: Job<'explain-layers' | 'explain-filters'>): Promise<FilterModel> {
  const { runModelDir } = msg;
  return runModelDir === undefined ? loadFilterModel(msg) : loadRunFilterModel({ ...msg, runModelDir });
}

export async function explainLayers(msg: Job<'explain-layers'>): Promise<WorkerToMain> {
  await initBackend();
  const model = await loadModel(msg);
  try {
    return {
      type: 'layers',
      backboneId: model.id,
      network: networkName(model),
      inputSize: model.inputSize,
      layers: filterLayers(model),
      weights: model.source
    };
  } finally {
    model.dispose();
  }
}

export async function explainFilters(msg: Job<'explain-filters'>, port: ExplainPort): Promise<WorkerToMain> {
  await initBackend();
  const model = await loadModel(msg);
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

/** The explain-next messages of a session, in order; null once the session is let go (cancel). */
export class SessionInbox {
  private readonly queue: ExplainNextMessage[] = [];
  private waiting: ((msg: ExplainNextMessage | null) => void) | null = null;
  private closed = false;

  push(msg: ExplainNextMessage): void {
    if (this.closed) return;
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = null;
      wake(msg);
    } else this.queue.push(msg);
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.waiting?.(null);
    this.waiting = null;
  }

  next(): Promise<ExplainNextMessage | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/**
 * A run's classifier loaded once, then one answer per explain-next until the session is let go:
 * the preview's overlay and Try a photo cost a Grad-CAM each, not a process start and a model
 * load. A photo that cannot be explained is refused on its own; the session goes on.
 */
export async function explainSession(
  msg: Job<'explain-session'>,
  port: Pick<ExplainPort, 'send'>,
  inbox: SessionInbox
): Promise<WorkerToMain> {
  await initBackend();
  const model = await loadCamModel(msg.modelDir);
  try {
    for (let next = await inbox.next(); next !== null; next = await inbox.next()) await port.send(await explainOne(model, next));
    return { type: 'cancelled' };
  } finally {
    model.dispose();
  }
}

async function explainOne(model: CamModel, next: ExplainNextMessage): Promise<WorkerToMain> {
  try {
    const run = await explainPhotos(model, [next.path], { renderSize: next.renderSize, render: 'photo', className: next.className });
    const failure = run.failed[0];
    if (failure) return { type: 'explain-refused', id: next.id, code: 'IO_ERROR', message: failure.reason };
    const e = run.explanations[0];
    return {
      type: 'explain-answer',
      id: next.id,
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
  } catch (err) {
    return { type: 'explain-refused', id: next.id, ...toErrorPayload(err) };
  }
}
