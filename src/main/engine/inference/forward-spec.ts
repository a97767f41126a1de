/**
 * What a frozen forward pass computes, independent of the runtime that computes it: RGB bytes
 * of photos at the input size in, the model's output out, with the weights' preprocessing, the
 * optional mirror view and the pooling folded in. ONNX Runtime runs it as an exported graph;
 * tfjs (the fallback) runs the same steps as ops.
 */
import type { InferenceInfo } from '../../../shared/dto';
import type { PreprocessingId } from '../preprocessing';

export interface ForwardSpec {
  /** Square input side, px; the model's input must be [null, size, size, 3]. */
  inputSize: number;
  preprocessing: PreprocessingId;
  /** 2: each photo and its mirror image (left-right), merged as `merge` says. */
  views: 1 | 2;
  /** Global pooling of a [N,h,w,C] model output; 'none' keeps the map (NHWC, as tfjs gives it). */
  pool: 'none' | 'avg' | 'max';
  /** With two views: 'concat' puts both side by side ([N, 2D], the photo's first), 'mean' averages them. */
  merge: 'concat' | 'mean';
}

export interface FrozenForward {
  /** Runtime and provider (or tfjs backend) this pass runs on, and why better ones were not used. */
  readonly info: InferenceInfo;
  readonly spec: ForwardSpec;
  /** Shape of one photo's output, e.g. [2560] or [7, 7, 512]. */
  readonly outputShape: number[];
  /**
   * Runs worth keeping in flight at once (sessions that compute side by side); 1 or absent when
   * a run has every core to itself.
   */
  readonly concurrency?: number;
  /** RGB bytes (inputSize² · 3 each, row-major) → outputs of all photos, flat, in order. */
  run(images: readonly Uint8Array[]): Promise<Float32Array>;
  /** Releases the session or tensors it holds; the model it was made from stays the caller's. */
  dispose(): Promise<void>;
}

/** Per-photo output shape of a spec over a model whose output (without batch) is `modelOut`. */
export function outputShapeOf(modelOut: readonly (number | null)[], spec: ForwardSpec): number[] {
  const dims = modelOut.slice(1) as number[];
  if (dims.some((d) => typeof d !== 'number')) throw new Error('frozen forward: the model output has no static shape');
  const pooled = spec.pool !== 'none' && dims.length === 3 ? [dims[2]] : dims;
  if (spec.views === 1) return pooled;
  if (pooled.length !== 1) throw new Error('frozen forward: two views need a pooled output');
  return spec.merge === 'concat' ? [2 * pooled[0]] : pooled;
}

/** Packs photos into one [N,S,S,3] byte buffer, checking each has the right size. */
export function packImages(images: readonly Uint8Array[], size: number): Uint8Array {
  const pixels = size * size * 3;
  const out = new Uint8Array(images.length * pixels);
  images.forEach((img, i) => {
    if (img.length !== pixels) throw new Error(`image ${i} has ${img.length} bytes, expected ${pixels} (${size}x${size}x3)`);
    out.set(img, i * pixels);
  });
  return out;
}
