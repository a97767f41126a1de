/**
 * Backend choice: native TensorFlow (GPU, then CPU) when its optional package is installed,
 * otherwise WebAssembly for forward passes plus our own kernels for the gradients wasm lacks.
 * The choice is made once per process and cached; every caller sees the same BackendInfo.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BackendInfo } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { registerWasmTrainingKernels } from './wasm-kernels';

export type BackendPreference = 'auto' | 'wasm' | 'cpu';

interface Unavailable {
  name: string;
  reason: string;
}

let cached: Promise<BackendInfo> | null = null;
let cachedPrefer: BackendPreference | null = null;

/**
 * Picks and initialises the best available backend; later calls return the cached result.
 * A different `prefer` than the first call is refused rather than silently ignored, because
 * tensors made on one backend would otherwise move under the caller's feet.
 */
export async function initBackend(opts: { prefer?: BackendPreference } = {}): Promise<BackendInfo> {
  const prefer = opts.prefer ?? 'auto';
  if (cached) {
    if (cachedPrefer !== prefer && prefer !== 'auto') {
      const info = await cached;
      if (info.backend !== prefer) {
        throw new AppError(
          'BACKEND_UNAVAILABLE',
          `Backend already initialised as ${info.backend}; cannot switch to ${prefer} in this process.`
        );
      }
    }
    return cached;
  }
  cachedPrefer = prefer;
  cached = chooseBackend(prefer).catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

/** The BackendInfo of an already initialised backend, or null before initBackend. */
export async function currentBackend(): Promise<BackendInfo | null> {
  return cached ? cached : null;
}

async function chooseBackend(prefer: BackendPreference): Promise<BackendInfo> {
  // tfjs's console advice ("Hi, looks like you are running TensorFlow.js in Node.js… install
  // tfjs-node") lands in CLI output and JSON pipes; the backend in use and why the native one is
  // unavailable are reported by BackendInfo instead. PROD only silences tfjs's warnings.
  tf.env().set('PROD', true);
  const unavailable: Unavailable[] = [];
  if (prefer === 'auto') {
    const gpu = await tryNative('@tensorflow/tfjs-node-gpu', unavailable);
    if (gpu) return gpu;
    const cpu = await tryNative('@tensorflow/tfjs-node', unavailable);
    if (cpu) return cpu;
  } else {
    unavailable.push({ name: 'tfjs-node', reason: `skipped (prefer=${prefer})` });
  }
  if (prefer !== 'cpu') {
    const wasm = await tryWasm(unavailable);
    if (wasm) return wasm;
  } else {
    unavailable.push({ name: 'wasm', reason: 'skipped (prefer=cpu)' });
  }
  if (!(await tf.setBackend('cpu'))) {
    throw new AppError('BACKEND_UNAVAILABLE', 'No TensorFlow.js backend could be initialised, not even the pure-JS cpu backend.');
  }
  await tf.ready();
  return { backend: 'cpu', device: 'cpu', label: `CPU · JavaScript (${reasonText(unavailable)})`, unavailable };
}

function reasonText(unavailable: Unavailable[]): string {
  const first = unavailable.find((u) => u.name === 'tfjs-node') ?? unavailable[0];
  return first ? `${first.name} ${first.reason}` : 'no better backend';
}

/** Imports a tfjs-node flavour; it registers the 'tensorflow' backend into our tfjs-core. */
async function tryNative(pkg: string, unavailable: Unavailable[]): Promise<BackendInfo | null> {
  const short = pkg.replace('@tensorflow/', '');
  try {
    await import(/* @vite-ignore */ pkg);
  } catch (err) {
    unavailable.push({ name: short, reason: describeImportError(err) });
    return null;
  }
  if (!(await tf.setBackend('tensorflow'))) {
    unavailable.push({ name: short, reason: 'installed but the tensorflow backend failed to initialise' });
    return null;
  }
  await tf.ready();
  const gpu = pkg.endsWith('-gpu');
  if (gpu && !nativeHasGpu()) {
    // A wrong CUDA/cuDNN makes tfjs-node-gpu run on CPU without saying so.
    unavailable.push({ name: short, reason: 'installed but no CUDA GPU was registered (check CUDA/cuDNN versions)' });
    return null;
  }
  const device = gpu ? 'gpu' : 'cpu';
  const why = unavailable.length ? ` (${unavailable.map((u) => `${u.name} ${u.reason}`).join('; ')})` : '';
  return { backend: 'tensorflow', device, label: `${gpu ? 'GPU' : 'CPU'} · TensorFlow native${why}`, unavailable };
}

function nativeHasGpu(): boolean {
  // tfjs-node exposes the TF binding on the backend; a GPU build lists GPU devices there.
  const backend = tf.findBackend('tensorflow') as unknown as { binding?: { isUsingGpuDevice?: () => boolean } } | null;
  const probe = backend?.binding?.isUsingGpuDevice;
  return typeof probe === 'function' ? Boolean(probe.call(backend?.binding)) : false;
}

function describeImportError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  const msg = err instanceof Error ? err.message : String(err);
  return `failed to load: ${msg.split('\n')[0]}`;
}

/** Folder holding the .wasm binaries, as a file path (Node) ending with a separator. */
export function wasmBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return path.join(path.dirname(pkgJson), 'dist') + path.sep;
}

async function tryWasm(unavailable: Unavailable[]): Promise<BackendInfo | null> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmBinaryDir());
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend returned false');
    await tf.ready();
    registerWasmTrainingKernels();
  } catch (err) {
    unavailable.push({ name: 'wasm', reason: `failed: ${err instanceof Error ? err.message : String(err)}` });
    return null;
  }
  const why = unavailable.map((u) => `${u.name} ${u.reason}`).join('; ');
  return { backend: 'wasm', device: 'cpu', label: `CPU · WebAssembly${why ? ` (${why})` : ''}`, unavailable };
}
