/**
 * The softmax regression, its L-BFGS and LogisticRegressionCV against known solutions:
 * scikit-learn 1.2's fits on a small seeded set (sklearn-fixture.json, made by
 * make-sklearn-fixture.py), a closed-form quadratic, and finite differences.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '../../../src/main/engine/linear/lbfgs';
import { logisticRegressionCv, SKLEARN_CS, type CvData } from '../../../src/main/engine/linear/logistic-cv';
import { fitSoftmax, jsObjective, softmaxObjective, type Design, type Targets } from '../../../src/main/engine/linear/softmax-regression';
import { stratifiedFolds } from '../../../src/main/engine/linear/folds';
import { wasmObjective } from '../../../src/main/engine/linear/softmax-wasm';

interface Fixture {
  X: number[][];
  y: number[];
  fits: { C: number; coef: number[][]; intercept: number[] }[];
  cv: { Cs: number[]; C: number; meanScores: number[]; coef: number[][]; intercept: number[] };
}

const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, 'sklearn-fixture.json'), 'utf8')) as Fixture;
const design: Design = { x: Float64Array.from(fixture.X.flat()), n: fixture.X.length, d: fixture.X[0].length };
const targets: Targets = { y: Int32Array.from(fixture.y), k: 3 };

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('L-BFGS', () => {
  it('finds the minimum of an ill-conditioned quadratic', () => {
    const scales = [1, 10, 100, 1000];
    const target = [3, -1, 0.5, 2];
    const result = minimizeLbfgs(
      (x, g) => {
        let v = 0;
        x.forEach((xi, i) => {
          v += 0.5 * scales[i] * (xi - target[i]) ** 2;
          g[i] = scales[i] * (xi - target[i]);
        });
        return v;
      },
      new Float64Array(4),
      { gradientTolerance: 1e-9, maxIterations: 200 }
    );
    expect(result.converged).toBe(true);
    expect(maxDiff(result.x, target)).toBeLessThan(1e-8);
  });

  it('minimises the Rosenbrock function', () => {
    const result = minimizeLbfgs(
      (x, g) => {
        g[0] = -2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2);
        g[1] = 200 * (x[1] - x[0] ** 2);
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { gradientTolerance: 1e-8, maxIterations: 500 }
    );
    expect(maxDiff(result.x, [1, 1])).toBeLessThan(1e-6);
  });
});

describe('softmax regression', () => {
  it('has the gradient finite differences give', () => {
    const f = softmaxObjective(design, targets, 0.7);
    const p = Float64Array.from({ length: 3 * 6 + 3 }, (_, i) => Math.sin(i) * 0.3);
    const g = new Float64Array(p.length);
    f(p, g);
    const numeric = p.map((_, i) => {
      const plus = Float64Array.from(p);
      const minus = Float64Array.from(p);
      plus[i] += 1e-6;
      minus[i] -= 1e-6;
      const scratch = new Float64Array(p.length);
      return (f(plus, scratch) - f(minus, scratch)) / 2e-6;
    });
    expect(maxDiff(g, numeric)).toBeLessThan(1e-5);
  });

  // Each objective the head can use (plain JS, the WebAssembly kernels) fits the same.
  const objectives = { js: jsObjective, wasm: wasmObjective };
  const cases = fixture.fits.flatMap((fit) => (['js', 'wasm'] as const).map((objective) => ({ ...fit, objective })));

  it.each(cases)("matches scikit-learn's multinomial LogisticRegression at C = $C ($objective objective)", (fit) => {
    const source = objectives[fit.objective](design, targets);
    const { model } = fitSoftmax(source, { k: 3, d: 6 }, fit.C, { gradientTolerance: 1e-8, maxIterations: 2000 });
    // The intercepts are defined up to a shared constant (softmax); compare them centred.
    const centre = (b: ArrayLike<number>) => Array.from(b, (v) => v - Array.from(b).reduce((s, x) => s + x, 0) / b.length);
    expect(maxDiff(model.coef, fit.coef.flat())).toBeLessThan(1e-4 * Math.max(1, fit.C));
    expect(maxDiff(centre(model.intercept), centre(fit.intercept))).toBeLessThan(1e-4 * Math.max(1, fit.C));
  });
});

describe('LogisticRegressionCV', () => {
  const data: CvData = { design, targets, group: Int32Array.from(fixture.y.keys()), groups: fixture.y.length };

  it("deals folds as scikit-learn's StratifiedKFold does", () => {
    // StratifiedKFold(3).split(X, [0,0,0,1,1,1,1,2,2,2]) puts these rows in these test folds.
    expect(Array.from(stratifiedFolds([0, 0, 0, 1, 1, 1, 1, 2, 2, 2], 3))).toEqual([0, 1, 2, 0, 0, 1, 2, 0, 1, 2]);
  });

  it.each([
    ['js', jsObjective],
    ['wasm', wasmObjective]
  ] as const)("chooses scikit-learn's C with the same mean fold accuracies, and refits like it (%s objective)", (_name, objective) => {
    const result = logisticRegressionCv(data, { cs: SKLEARN_CS, objective });
    expect(maxDiff(SKLEARN_CS, fixture.cv.Cs)).toBeLessThan(1e-9);
    expect(
      maxDiff(
        result.scores.map((s) => s.accuracy),
        fixture.cv.meanScores
      )
    ).toBeLessThan(1e-9);
    expect(result.c).toBeCloseTo(fixture.cv.C, 9);
    expect(maxDiff(result.model.coef, fixture.cv.coef.flat())).toBeLessThan(2e-3);
  });

  it('keeps the rows of a group in one fold and scores the group once', () => {
    // Every point twice (a photo and its mirror image): same C and accuracies as without copies.
    const twice: CvData = {
      design: { x: Float64Array.from([...fixture.X, ...fixture.X].flat()), n: 120, d: 6 },
      targets: { y: Int32Array.from([...fixture.y, ...fixture.y]), k: 3 },
      group: Int32Array.from([...fixture.y.keys(), ...fixture.y.keys()]),
      groups: 60
    };
    const once = logisticRegressionCv(data, { cs: [0.01, 0.1, 1] });
    const doubled = logisticRegressionCv(twice, { cs: [0.005, 0.05, 0.5] });
    expect(doubled.scores.map((s) => s.accuracy)).toEqual(once.scores.map((s) => s.accuracy));
  });
});
