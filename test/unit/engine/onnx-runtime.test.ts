/** ONNX Runtime loading, provider order and thread count: each failure is an answer with a reason. */
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { inferenceInfo } from '../../../src/main/engine/inference/open-forward';
import { physicalCores, physicalCoresFromCpuinfo } from '../../../src/main/engine/onnx/cpu-cores';
import { loadOnnxRuntime, providerCandidates } from '../../../src/main/engine/onnx/runtime';

const cpu = (processor: number, physical: number, core: number) =>
  `processor\t: ${processor}\nmodel name\t: Test CPU\nphysical id\t: ${physical}\ncore id\t\t: ${core}\ncpu cores\t: 2\n`;

describe('physical cores', () => {
  it('counts distinct (physical id, core id) pairs: 4 hyperthreads on 2 cores are 2', () => {
    expect(physicalCoresFromCpuinfo([cpu(0, 0, 0), cpu(1, 0, 1), cpu(2, 0, 0), cpu(3, 0, 1)].join('\n'))).toBe(2);
  });

  it('counts cores on two sockets separately', () => {
    expect(physicalCoresFromCpuinfo([cpu(0, 0, 0), cpu(1, 1, 0)].join('\n'))).toBe(2);
  });

  it('says 0 when cpuinfo has no core ids (the caller then uses availableParallelism)', () => {
    expect(physicalCoresFromCpuinfo('processor\t: 0\nBogoMIPS\t: 48.00\n\nprocessor\t: 1\n')).toBe(0);
  });

  it('on this machine: at least 1 and never more than the CPUs the process may use', () => {
    expect(physicalCores()).toBeGreaterThanOrEqual(1);
    expect(physicalCores()).toBeLessThanOrEqual(os.availableParallelism());
  });
});

describe('execution providers', () => {
  const names = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => providerCandidates(platform, env).map((c) => c.name);

  it('tries CUDA first on Linux, DirectML on Windows, CoreML on macOS, always ending with the CPU', () => {
    expect(names('linux')).toEqual(['cuda', 'cpu']);
    expect(names('win32')).toEqual(['dml', 'cpu']);
    expect(names('darwin')).toEqual(['coreml', 'cpu']);
  });

  it('tries WebGPU only when asked for (TS_ORT_WEBGPU=1), and then first', () => {
    expect(names('linux', { TS_ORT_WEBGPU: '1' })).toEqual(['webgpu', 'cuda', 'cpu']);
    expect(names('win32', { TS_ORT_WEBGPU: '0' })).toEqual(['dml', 'cpu']);
  });

  it('skips CUDA with a reason that says how to install it when its provider library is absent', () => {
    const cuda = providerCandidates('linux', {}).find((c) => c.name === 'cuda');
    // npm ci here skips onnxruntime-node's CUDA download (.npmrc), so the library is never present.
    expect(cuda?.skip).toMatch(/CUDA provider not installed/);
  });

  it('without a GPU provider installed: the CPU with one thread per physical core, each skipped provider with its reason', async () => {
    const gpu = providerCandidates().filter((c) => c.name !== 'cpu');
    if (gpu.some((c) => !c.skip)) return; // a machine with a GPU provider installed decides otherwise
    const info = await inferenceInfo();
    expect(info).toMatchObject({ runtime: 'onnxruntime', provider: 'cpu', device: 'cpu', threads: physicalCores() });
    expect(info.label).toBe(`ONNX Runtime · CPU (${physicalCores()} thread${physicalCores() === 1 ? '' : 's'})`);
    expect(info.unavailable).toEqual(gpu.map((c) => ({ name: c.name, reason: c.skip })));
  });
});

describe('loading onnxruntime-node', () => {
  it('a package that cannot be imported is an answer with the reason, not an exception', async () => {
    expect(await loadOnnxRuntime('onnxruntime-node-that-is-not-installed')).toEqual({
      ok: false,
      reason: 'onnxruntime-node-that-is-not-installed is not installed'
    });
  });

  it('a module that fails while loading is reported with its first line', async () => {
    const broken = `data:text/javascript,${encodeURIComponent('throw new Error("libonnxruntime.so.1: cannot open shared object file\\nmore")')}`;
    const load = await loadOnnxRuntime(broken);
    expect(load).toEqual({
      ok: false,
      reason: expect.stringMatching(/failed to load: libonnxruntime\.so\.1: cannot open shared object file$/)
    });
  });

  it('loads the installed package', async () => {
    const load = await loadOnnxRuntime();
    expect(load.ok).toBe(true);
  });
});
