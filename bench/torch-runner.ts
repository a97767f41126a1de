/** Runs bench/embed_torch.py where Python has torch and torchvision. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface TorchResult {
  backbone: string;
  size: number;
  batch: number;
  photos: number;
  msPerPhoto: number;
  torch: string;
  threads: number;
}

/** The first Python that imports torch and torchvision ($PYTHON, python3, /usr/bin/python3), or null. */
export function torchPython(): string | null {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import torch, torchvision'], { stdio: 'ignore', timeout: 60_000 });
      return python;
    } catch {
      // not this one
    }
  }
  return null;
}

export function runTorch(
  python: string,
  photoList: string,
  threads: number,
  jobs: { backbone: string; size: number; batch: number; photos: number }[]
): TorchResult[] {
  const script = path.join(import.meta.dirname, 'embed_torch.py');
  const args = [script, '--threads', String(threads), '--list', photoList];
  for (const j of jobs) args.push('--job', `${j.backbone}:${j.size}:${j.batch}:${j.photos}`);
  const out = execFileSync(python, args, {
    encoding: 'utf8',
    timeout: 30 * 60_000,
    env: { ...process.env, OMP_NUM_THREADS: String(threads) }
  });
  return out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TorchResult);
}
