/**
 * ONNX Runtime in the training process: loading it (any failure means "use tfjs" with the
 * reason kept), choosing the execution provider once per process (CUDA where installed,
 * DirectML on Windows, CoreML on macOS, then CPU on the physical cores; WebGPU only when asked
 * for), and opening sessions with it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import type { InferenceInfo } from '../../../shared/dto';
import { physicalCores } from './cpu-cores';
import { probeModel, probeRuns } from './probe-model';

export type OrtModule = typeof import('onnxruntime-node');
export type OrtLoad = { ok: true; ort: OrtModule } | { ok: false; reason: string };

/** `tfjs` turns ONNX Runtime off: every frozen forward pass runs in tfjs (benchmarks, debugging). */
export const RUNTIME_ENV = 'TS_INFERENCE_RUNTIME';
/** `1` tries the WebGPU provider first (opt-in: it is new in onnxruntime-node and not always faster). */
export const WEBGPU_ENV = 'TS_ORT_WEBGPU';

const PACKAGE = 'onnxruntime-node';
let loading: Promise<OrtLoad> | null = null;

/**
 * Loads onnxruntime-node once. Any failure — not installed, native library missing or built for
 * another platform, turned off by TS_INFERENCE_RUNTIME=tfjs — is an answer, not an exception.
 * `specifier` exists so a test can make the import itself fail.
 */
export function loadOnnxRuntime(specifier: string = PACKAGE): Promise<OrtLoad> {
  if (specifier !== PACKAGE) return importOrt(specifier);
  loading ??= importOrt(specifier);
  return loading;
}

async function importOrt(specifier: string): Promise<OrtLoad> {
  if (process.env[RUNTIME_ENV] === 'tfjs') return { ok: false, reason: `turned off (${RUNTIME_ENV}=tfjs)` };
  try {
    const mod = (await import(/* @vite-ignore */ specifier)) as OrtModule & { default?: OrtModule };
    const ort = mod.default ?? mod;
    if (typeof ort.InferenceSession?.create !== 'function') return { ok: false, reason: `${specifier} has no InferenceSession` };
    return { ok: true, ort };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { ok: false, reason: `${specifier} is not installed` };
    return { ok: false, reason: `${specifier} failed to load: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}` };
  }
}

export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';

export interface ProviderCandidate {
  name: ProviderName;
  config: InferenceSession.ExecutionProviderConfig;
  /** Set when the provider is known to be unusable without trying (e.g. its library is absent). */
  skip?: string;
}

/** Folder of onnxruntime-node's native files for this platform, or null when it cannot be found. */
function ortBinDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
    return path.join(path.dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** Providers to try, best first, for a platform. */
export function providerCandidates(platform: NodeJS.Platform = process.platform, env = process.env): ProviderCandidate[] {
  const out: ProviderCandidate[] = [];
  if (env[WEBGPU_ENV] === '1') out.push({ name: 'webgpu', config: 'webgpu' });
  if (platform === 'linux') {
    const bin = ortBinDir();
    const installed = bin !== null && existsSync(path.join(bin, 'libonnxruntime_providers_cuda.so'));
    out.push({
      name: 'cuda',
      config: { name: 'cuda', deviceId: 0 },
      skip: installed ? undefined : 'CUDA provider not installed (see README, "GPU with ONNX Runtime")'
    });
  }
  if (platform === 'win32') out.push({ name: 'dml', config: { name: 'dml', deviceId: 0 } });
  // 0x020: COREML_FLAG_USE_CPU_AND_GPU — float32 on the GPU; the Neural Engine computes in fp16.
  if (platform === 'darwin') out.push({ name: 'coreml', config: { name: 'coreml', coreMlFlags: 0x020 } });
  out.push({ name: 'cpu', config: { name: 'cpu', useArena: true } });
  return out;
}

export interface ProviderDecision {
  ort: OrtModule;
  provider: ProviderCandidate;
  threads: number;
  unavailable: { name: string; reason: string }[];
}

/** Session options for a provider: every core busy, no spinning (decoding shares the cores). */
export function sessionOptions(provider: ProviderCandidate, threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider.config],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    // Spinning intra-op threads would take the cores sharp needs to decode the next batch.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } }
  };
}

/** Tries each candidate on a tiny model that must give the right answer; the first that does wins. */
async function decide(ort: OrtModule, candidates: ProviderCandidate[]): Promise<ProviderDecision> {
  const threads = physicalCores();
  const unavailable: { name: string; reason: string }[] = [];
  for (const provider of candidates) {
    if (provider.skip) {
      unavailable.push({ name: provider.name, reason: provider.skip });
      continue;
    }
    try {
      const session = await ort.InferenceSession.create(probeModel(), sessionOptions(provider, threads));
      try {
        await probeRuns(ort, session);
      } finally {
        await session.release();
      }
      return { ort, provider, threads, unavailable };
    } catch (err) {
      unavailable.push({ name: provider.name, reason: firstLine(err) });
    }
  }
  throw new Error(`no ONNX Runtime provider works: ${unavailable.map((u) => `${u.name}: ${u.reason}`).join('; ')}`);
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 300);
}

let decision: Promise<ProviderDecision | { failed: string }> | null = null;

/** The provider this process uses, decided once; `failed` when ORT cannot run at all. */
export function providerDecision(): Promise<ProviderDecision | { failed: string }> {
  decision ??= (async () => {
    const load = await loadOnnxRuntime();
    if (!load.ok) return { failed: load.reason };
    try {
      return await decide(load.ort, providerCandidates());
    } catch (err) {
      return { failed: firstLine(err) };
    }
  })();
  return decision;
}

const PROVIDER_LABELS: Record<ProviderName, string> = {
  cuda: 'CUDA GPU',
  dml: 'DirectML GPU',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
  cpu: 'CPU'
};

/** `sessions`: single-thread sessions run side by side (forwardPlan), which the label names as such. */
export function describeProvider(d: Pick<ProviderDecision, 'provider' | 'threads' | 'unavailable'>, sessions = 1): InferenceInfo {
  const cpu = d.provider.name === 'cpu';
  const threads = sessions > 1 ? `${sessions} single-thread sessions` : `${d.threads} thread${d.threads === 1 ? '' : 's'}`;
  const where = cpu ? `CPU (${threads})` : PROVIDER_LABELS[d.provider.name];
  return {
    runtime: 'onnxruntime',
    provider: d.provider.name,
    device: cpu ? 'cpu' : 'gpu',
    threads: cpu ? d.threads : null,
    label: `ONNX Runtime · ${where}`,
    unavailable: d.unavailable
  };
}

/**
 * Opens a session on the decided provider. If that provider refuses this model (a GPU provider
 * lacking an op, out of device memory), the session opens on the CPU instead and the decision
 * records why, so every later session goes straight to the CPU.
 */
export async function openSession(d: ProviderDecision, model: string | Uint8Array): Promise<InferenceSession> {
  const create = () => {
    const options = sessionOptions(d.provider, d.threads);
    return typeof model === 'string' ? d.ort.InferenceSession.create(model, options) : d.ort.InferenceSession.create(model, options);
  };
  try {
    return await create();
  } catch (err) {
    if (d.provider.name === 'cpu') throw err;
    d.unavailable.push({ name: d.provider.name, reason: `failed on a model: ${firstLine(err)}` });
    d.provider = providerCandidates().find((p) => p.name === 'cpu') as ProviderCandidate;
    return create();
  }
}
