/**
 * Grad-CAM over photo files: each photo decoded and cropped exactly as for training, explained,
 * and drawn (heat over the same crop at display size). A pure function of a loaded model, with
 * progress and a stop poll, for the CLI now and the training process later.
 */
import { AppError } from '../../../shared/errors';
import { loadImage } from '../image';
import { gradCam, type CamModel } from './grad-cam';
import { camRows, renderHeatmapPng, renderOverlayPng } from './overlay';

export interface ExplainOptions {
  /** Class to explain by name; default the predicted class of each photo. */
  className?: string;
  /** 'photo': the crop with the heat blended in; 'heatmap': the heat alone (RGBA); 'none'. */
  render?: 'photo' | 'heatmap' | 'none';
  /** Side of the rendered square, px (default 448). */
  renderSize?: number;
}

export interface PhotoExplanation {
  path: string;
  predicted: string;
  predictedIndex: number;
  /** Probability of the predicted class, 0–1 (mean over the photo and its mirror image). */
  confidence: number;
  /** The class the map explains. */
  className: string;
  classIndex: number;
  /** Its probability, 0–1. */
  classProbability: number;
  probs: number[];
  /** Raw Grad-CAM map at the feature map's resolution, rows top to bottom, values ≥ 0. */
  cam: number[][];
  /** Layer whose output the map weighs. */
  camLayer: string;
  /** The rendered PNG (see ExplainOptions.render), null for 'none'. */
  png: Uint8Array | null;
  /** Its side, px. */
  renderSize: number;
}

export interface ExplainIO {
  /** Awaited, so a caller writing each result to disk keeps pace. */
  onPhoto?(explanation: PhotoExplanation): void | Promise<void>;
  onFailure?(failure: { path: string; reason: string }): void;
  onProgress?(progress: { done: number; total: number }): void;
  /** Polled before each photo. */
  shouldStop?(): boolean;
}

export interface ExplainRun {
  explanations: PhotoExplanation[];
  /** Photos that could not be read, with why. */
  failed: { path: string; reason: string }[];
  cancelled: boolean;
}

export const DEFAULT_RENDER_SIZE = 448;

/** The index of a class name; an unknown name is an error listing the model's classes. */
export function classIndexOf(m: CamModel, name: string): number {
  const index = m.labels.indexOf(name);
  if (index < 0) throw new AppError('INVALID_REQUEST', `The model has no class "${name}". Its classes: ${m.labels.join(', ')}.`);
  return index;
}

export async function explainPhotos(
  m: CamModel,
  paths: readonly string[],
  opts: ExplainOptions = {},
  io: ExplainIO = {}
): Promise<ExplainRun> {
  const classIndex = opts.className === undefined ? undefined : classIndexOf(m, opts.className);
  const renderSize = opts.renderSize ?? DEFAULT_RENDER_SIZE;
  if (!Number.isInteger(renderSize) || renderSize < 8 || renderSize > 4096)
    throw new AppError('INVALID_REQUEST', `The rendered size must be 8–4096 px, got ${renderSize}.`);
  const run: ExplainRun = { explanations: [], failed: [], cancelled: false };
  io.onProgress?.({ done: 0, total: paths.length });
  for (const [i, file] of paths.entries()) {
    if (io.shouldStop?.()) return { ...run, cancelled: true };
    try {
      const explanation = await explainPhoto(m, file, classIndex, opts.render ?? 'photo', renderSize);
      run.explanations.push(explanation);
      await io.onPhoto?.(explanation);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'IO_ERROR') throw err;
      const failure = { path: file, reason: err.message };
      run.failed.push(failure);
      io.onFailure?.(failure);
    }
    io.onProgress?.({ done: i + 1, total: paths.length });
  }
  return run;
}

async function explainPhoto(
  m: CamModel,
  file: string,
  classIndex: number | undefined,
  render: 'photo' | 'heatmap' | 'none',
  renderSize: number
): Promise<PhotoExplanation> {
  const pixels = await loadImage(file, m.inputSize);
  const r = await gradCam(m, pixels, classIndex);
  let png: Buffer | null = null;
  if (render === 'photo') png = await renderOverlayPng(await loadImage(file, renderSize), renderSize, r.cam, r.height, r.width);
  if (render === 'heatmap') png = await renderHeatmapPng(r.cam, r.height, r.width, renderSize);
  return {
    path: file,
    predicted: m.labels[r.predictedIndex],
    predictedIndex: r.predictedIndex,
    confidence: r.probs[r.predictedIndex],
    className: m.labels[r.classIndex],
    classIndex: r.classIndex,
    classProbability: r.probs[r.classIndex],
    probs: r.probs,
    cam: camRows(r.cam, r.height, r.width),
    camLayer: m.targetLayer,
    png: png === null ? null : new Uint8Array(png),
    renderSize
  };
}
