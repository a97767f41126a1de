/**
 * The WebAssembly objective (softmax-wasm.ts) against the plain float64 reference: the same
 * value and gradient on any shape (feature counts with and without a SIMD tail, class weights).
 * Its fits and cross-validation against scikit-learn's are in logistic-regression.test.ts.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsObjective, type Design, type Targets } from '../../../src/main/engine/linear/softmax-regression';
import { wasmObjective } from '../../../src/main/engine/linear/softmax-wasm';
import { createRng } from '../../../src/main/engine/trainer/rng';

const REPO = path.resolve(import.meta.dirname, '../../..');

function randomProblem(n: number, d: number, k: number, seed: number, weighted: boolean): { design: Design; targets: Targets } {
  const rng = createRng(seed);
  return {
    design: { x: Float64Array.from({ length: n * d }, () => rng.next() * 4 - 2), n, d },
    targets: {
      y: Int32Array.from({ length: n }, (_, i) => i % k),
      k,
      weight: weighted ? Float64Array.from({ length: n }, () => 0.5 + rng.next()) : undefined
    }
  };
}

function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

describe('WebAssembly softmax objective', () => {
  it.each([
    [13, 7, 4, true],
    [40, 512, 2, false],
    [25, 1, 3, true],
    [9, 6, 10, false]
  ])('matches the reference on %i rows × %i features × %i classes (weighted: %s)', (n, d, k, weighted) => {
    const { design, targets } = randomProblem(n, d, k, n * d + k, weighted);
    const rng = createRng(7);
    const params = Float64Array.from({ length: k * d + k }, () => rng.next() - 0.5);
    const fast = new Float64Array(params.length);
    const reference = new Float64Array(params.length);
    const value = wasmObjective(design, targets).forC(0.3)(params, fast);
    const expected = jsObjective(design, targets).forC(0.3)(params, reference);
    expect(Math.abs(value - expected) / expected).toBeLessThan(1e-12);
    expect(relativeDiff(fast, reference)).toBeLessThan(1e-12);
    expect(fast.some((g) => g !== 0)).toBe(true);
  });

  it('keeps each source apart (its own memory) and can evaluate again after others were made', () => {
    const a = randomProblem(30, 33, 3, 1, false);
    const b = randomProblem(50, 65, 2, 2, true);
    const fa = wasmObjective(a.design, a.targets).forC(1);
    const fb = wasmObjective(b.design, b.targets).forC(1);
    const pa = new Float64Array(3 * 33 + 3).fill(0.01);
    const ga = new Float64Array(pa.length);
    const gRef = new Float64Array(pa.length);
    fb(new Float64Array(2 * 65 + 2), new Float64Array(2 * 65 + 2));
    expect(fa(pa, ga)).toBeCloseTo(jsObjective(a.design, a.targets).forC(1)(pa, gRef), 10);
    expect(relativeDiff(ga, gRef)).toBeLessThan(1e-12);
  });

  it('loads the bytes softmax-kernels.wat compiles to', () => {
    const out = execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: REPO, encoding: 'utf8' });
    expect(out).toContain('softmax-kernels-wasm.ts matches');
  });
});
