/**
 * Opens a frozen forward pass on the best runtime: ONNX Runtime on the process's provider with
 * the model exported (from the cache when it was exported before), else tfjs with the reason —
 * ONNX Runtime unavailable, or a layer the exporter does not know.
 */
import type * as tf from '@tensorflow/tfjs';
import type { InferenceInfo } from '../../../shared/dto';
import { encodeOnnx, hasWinogradConvs, type EncodeOptions } from '../onnx/encode-onnx';
import { cachedExport, EXPORTER_VERSION, type ExportCacheKey } from '../onnx/export-cache';
import { buildIr } from '../onnx/from-layers';
import { UnsupportedLayerError } from '../onnx/layer-ops';
import { describeProvider, openSession, providerDecision, sessionOptions, type ProviderDecision } from '../onnx/runtime';
import type { WinogradChoice } from '../onnx/winograd';
import { outputShapeOf, type ForwardSpec, type FrozenForward } from './forward-spec';
import { ortForward } from './ort-forward';
import { openOrtThreads, parallelOrtForward } from './parallel-forward';
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
 * Winograd convolutions only in a CPU session of at most WINOGRAD_MAX_THREADS threads. They cut
 * the CPU time of a VGG16 pass by a quarter, but ~16% of their single-thread time is in ops ONNX
 * Runtime runs on one thread (Slice, Concat, DepthToSpace, Pad), so in one session with more
 * threads the direct convolution, which scales with the cores, finishes first: measured back to
 * back on an idle 2-core machine, bench:train VGG16 cold took 162 s direct and 174 s Winograd in
 * one 2-thread session (CPU 286 vs 244 s). GPU providers pick their own convolution algorithms
 * (cuDNN has Winograd) and would only pay for the extra ops.
 */
export function winogradFor(d: Pick<ProviderDecision, 'provider' | 'threads'>): Extract<WinogradChoice, string> {
  return d.provider.name === 'cpu' && d.threads <= WINOGRAD_MAX_THREADS ? 'auto' : 'off';
}

/**
 * Most single-thread sessions a pass runs side by side. Each holds its own weights, folded
 * Winograd weights and activations — about 0.45 GB for VGG16 at 224 px — so on a CPU with more
 * physical cores than this, one session on all of them runs direct convolutions instead.
 */
export const MAX_PARALLEL_SESSIONS = 4;

export interface ForwardPlan {
  /** Sessions run side by side, each on its own worker thread when more than one. */
  sessions: number;
  /** Intra-op threads of each session. */
  threadsEach: number;
  winograd: Extract<WinogradChoice, string>;
}

/**
 * How a pass uses the CPU. A graph with Winograd convs, on 2..MAX_PARALLEL_SESSIONS physical
 * cores, runs as one single-thread Winograd session per core: every op, transforms included,
 * then has a core of its own, so the quarter less CPU per pass becomes a quarter less wall time
 * (VGG16 at 224 px on an idle 2-core machine: ~455 ms per photo and mirror per session, two at
 * once, against 360 ms in one 2-thread direct session). Without Winograd convs (MobileNetV2: its
 * passes take about a millisecond and decoding is what limits) one session on all cores is simpler
 * and no slower.
 */
export function forwardPlan(d: Pick<ProviderDecision, 'provider' | 'threads'>, winogradConvs: boolean): ForwardPlan {
  const cpu = d.provider.name === 'cpu';
  if (cpu && winogradConvs && d.threads > WINOGRAD_MAX_THREADS && d.threads <= MAX_PARALLEL_SESSIONS)
    return { sessions: d.threads, threadsEach: 1, winograd: 'auto' };
  return { sessions: 1, threadsEach: d.threads, winograd: winogradFor(d) };
}

type Exported = { plan: ForwardPlan; source: string | Uint8Array };

/** The graph's plan (chosen by `choose` from what the graph holds) and its bytes or cached file. */
async function exportFor(
  model: tf.LayersModel,
  spec: ForwardSpec,
  choose: (winogradConvs: boolean) => ForwardPlan,
  cacheKey: ExportCacheKey | undefined
): Promise<Exported | { unsupported: string }> {
  try {
    const ir = buildIr(model, spec);
    const plan = choose(hasWinogradConvs(ir));
    const make = () => encodeOnnx(ir, `exporter ${EXPORTER_VERSION}`, { winograd: plan.winograd });
    const cache = cacheKey && { ...cacheKey, parts: { ...cacheKey.parts, winograd: plan.winograd } };
    return { plan, source: cache ? (await cachedExport(cache, make)).file : make() };
  } catch (err) {
    if (!(err instanceof UnsupportedLayerError)) throw err;
    return { unsupported: `exporter: ${err.message}` };
  }
}

/** Sessions on worker threads as planned; when threads cannot run them, one session in this thread. */
async function openParallel(
  model: tf.LayersModel,
  spec: ForwardSpec,
  decision: ProviderDecision,
  exported: Exported,
  cacheKey?: ExportCacheKey
) {
  const info = describeProvider(decision, exported.plan.sessions);
  const outputShape = outputShapeOf(model.outputs[0].shape, spec);
  try {
    const threads = await openOrtThreads(
      exported.plan.sessions,
      exported.source,
      sessionOptions(decision.provider, exported.plan.threadsEach)
    );
    return parallelOrtForward(threads, spec, outputShape, { ...info, unavailable: [...info.unavailable] });
  } catch (err) {
    const reason = `parallel sessions failed: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
    const single = await exportFor(
      model,
      spec,
      () => ({ sessions: 1, threadsEach: decision.threads, winograd: winogradFor(decision) }),
      cacheKey
    );
    if ('unsupported' in single) throw err;
    const one = describeProvider(decision);
    return ortForward(decision.ort, await openSession(decision, single.source), spec, outputShape, {
      ...one,
      unavailable: [...one.unavailable, { name: 'onnxruntime threads', reason }]
    });
  }
}

export async function openFrozenForward(model: tf.LayersModel, spec: ForwardSpec, opts: OpenForwardOptions = {}): Promise<FrozenForward> {
  if (opts.runtime === 'tfjs') return tfjsForward(model, spec, await tfjsInferenceInfo([{ name: 'onnxruntime', reason: 'not asked for' }]));
  const decision = await providerDecision();
  if ('failed' in decision) return tfjsForward(model, spec, await tfjsInferenceInfo([{ name: 'onnxruntime', reason: decision.failed }]));
  const exported = await exportFor(model, spec, (w) => forwardPlan(decision, w), opts.cache);
  if ('unsupported' in exported)
    return tfjsForward(model, spec, await tfjsInferenceInfo([{ name: 'onnxruntime', reason: exported.unsupported }]));
  if (exported.plan.sessions > 1) return openParallel(model, spec, decision, exported, opts.cache);
  const session = await openSession(decision, exported.source);
  const info = describeProvider(decision);
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
