/**
 * Physical CPU cores, for ONNX Runtime's intra-op threads: on a machine with SMT, threads on
 * sibling hyperthreads compete for one core's vector units and slow convolutions down.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Distinct (physical id, core id) pairs in /proc/cpuinfo text; 0 when it does not say. */
export function physicalCoresFromCpuinfo(text: string): number {
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
  }
  return cores.size;
}

function fromPlatform(): number {
  try {
    if (process.platform === 'linux') return physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
    if (process.platform === 'darwin')
      return Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8', timeout: 2000 }).trim()) || 0;
  } catch {
    // unreadable: fall back below
  }
  return 0;
}

let cached: number | null = null;

/**
 * Physical cores this process may use: the platform's count (Linux /proc/cpuinfo, macOS
 * sysctl), never more than the CPUs it is allowed to run on; os.availableParallelism() where
 * the platform does not say (Windows, ARM boards without core ids).
 */
export function physicalCores(): number {
  if (cached !== null) return cached;
  const allowed = os.availableParallelism();
  const physical = fromPlatform();
  cached = Math.max(1, physical > 0 ? Math.min(physical, allowed) : allowed);
  return cached;
}
