/**
 * Opens a frozen forward pass on the best runtime: ONNX Runtime on the process's provider with
 * the model exported (from the cache when it was exported before), else tfjs with the reason —
 * ONNX Runtime unavailable, or a layer the exporter does not know.
 */
import type * as tf from '@tensorflow/tfjs';
import type { InferenceInfo } from '../../../shared/dto';
import { encodeOnnx, type EncodeOptions } from '../onnx/encode-onnx';
import { cachedExport, EXPORTER_VERSION, type ExportCacheKey } from '../onnx/export-cache';
import { buildIr } from '../onnx/from-layers';
import { UnsupportedLayerError } from '../onnx/layer-ops';
import { describeProvider, openSession, providerDecision, type ProviderDecision } from '../onnx/runtime';
import type { WinogradChoice } from '../onnx/winograd';
import { outputShapeOf, type ForwardSpec, type FrozenForward } from './forward-spec';
import { ortForward } from './ort-forward';
import { tfjsForward, tfjsInferenceInfo } from './tfjs-forward';

export interface OpenForwardOptions {
  /** Keep the exported graph on disk under this key; without it the graph is exported in memory. */
  cache?: ExportCacheKey;
  /** 'tfjs' skips ONNX Runtime (benchmarks side by side); default 'auto'. */
  runtime?: 'auto' | 'tfjs';
}

/** The exported graph of `model` under `spec`, as ONNX bytes. */
export function exportOnnx(model: tf.LayersModel, spec: ForwardSpec, opts: EncodeOptions = {}): Uint8Array {
  return encodeOnnx(buildIr(model, spec), `exporter ${EXPORTER_VERSION}`, opts);
}

const WINOGRAD_MAX_THREADS = 1;

/**
 * Winograd convolutions only on the CPU with at most WINOGRAD_MAX_THREADS threads. They cut the
 * CPU time of a VGG16 pass by a quarter, but ~16% of their single-thread time is in ops ONNX
 * Runtime runs on one thread (Slice, Concat, DepthToSpace, Pad), so with more threads the direct
 * convolution, which scales with the cores, finishes first: measured back to back on an idle
 * 2-core machine, bench:train VGG16 cold took 162 s direct and 174 s Winograd (CPU 286 vs 244 s). GPU providers pick their own
 * convolution algorithms (cuDNN has Winograd) and would only pay for the extra ops.
 */
export function winogradFor(d: Pick<ProviderDecision, 'provider' | 'threads'>): Extract<WinogradChoice, string> {
  return d.provider.name === 'cpu' && d.threads <= WINOGRAD_MAX_THREADS ? 'auto' : 'off';
}

export async function openFrozenForward(model: tf.LayersModel, spec: ForwardSpec, opts: OpenForwardOptions = {}): Promise<FrozenForward> {
  if (opts.runtime === 'tfjs') return tfjsForward(model, spec, await tfjsInferenceInfo([{ name: 'onnxruntime', reason: 'not asked for' }]));
  const decision = await providerDecision();
  if ('failed' in decision) return tfjsForward(model, spec, await tfjsInferenceInfo([{ name: 'onnxruntime', reason: decision.failed }]));
  let source: string | Uint8Array;
  const winograd = winogradFor(decision);
  try {
    const cache = opts.cache && { ...opts.cache, parts: { ...opts.cache.parts, winograd } };
    source = cache ? (await cachedExport(cache, () => exportOnnx(model, spec, { winograd }))).file : exportOnnx(model, spec, { winograd });
  } catch (err) {
    if (!(err instanceof UnsupportedLayerError)) throw err;
    return tfjsForward(model, spec, await tfjsInferenceInfo([{ name: 'onnxruntime', reason: `exporter: ${err.message}` }]));
  }
  const session = await openSession(decision, source);
  const info: InferenceInfo = describeProvider(decision);
  return ortForward(decision.ort, session, spec, outputShapeOf(model.outputs[0].shape, spec), {
    ...info,
    unavailable: [...info.unavailable]
  });
}

/** What runs frozen passes in this process (before any model is opened), for status displays. */
export async function inferenceInfo(): Promise<InferenceInfo> {
  const decision = await providerDecision();
  if ('failed' in decision) return tfjsInferenceInfo([{ name: 'onnxruntime', reason: decision.failed }]);
  return describeProvider(decision);
}
