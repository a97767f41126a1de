/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Algorithms 7.4/7.5)
 * with a strong-Wolfe line search (Algorithms 3.5/3.6, cubic interpolation in the zoom).
 * Full batch and float64 throughout, so the same data always gives the same answer. No npm
 * package offers a maintained L-BFGS; this one is tested against closed-form optima and against
 * scikit-learn's solutions (test/unit/linear).
 */

/** Writes the gradient at x into `grad` and returns the objective value. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Most iterations (scikit-learn's max_iter; default 100). */
  maxIterations?: number;
  /** Stop when max |gradient component| ≤ this (scipy's pgtol, scikit-learn's tol; default 1e-4). */
  gradientTolerance?: number;
  /** Stop when the relative decrease of the objective is below this (scipy's factr·eps). */
  valueTolerance?: number;
  /** Correction pairs kept (default 10, as scipy). */
  memory?: number;
  /** Most objective evaluations in one line search (default 25). */
  maxLineSearch?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  /** True when a tolerance (not the iteration limit) ended the search. */
  converged: boolean;
  /** max |gradient component| at x. */
  gradientMax: number;
}

const C1 = 1e-4;
const C2 = 0.9;

export function minimizeLbfgs(f: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const maxIterations = opts.maxIterations ?? 100;
  const gtol = opts.gradientTolerance ?? 1e-4;
  const ftol = opts.valueTolerance ?? 64 * Number.EPSILON;
  const memory = new History(opts.memory ?? 10);
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let value = f(x, g);
  const counter = { evaluations: 1 };
  const direction = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(g) <= gtol) return done(x, value, g, iteration, counter.evaluations, true);
    memory.direction(g, direction);
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      // Not a descent direction (round-off in the curvature pairs): restart from steepest descent.
      memory.clear();
      for (let i = 0; i < n; i++) direction[i] = -g[i];
      slope = dot(direction, g);
    }
    const first = memory.size === 0 ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    const step = wolfeLineSearch(f, x, value, g, direction, slope, first, opts.maxLineSearch ?? 25, counter);
    if (step === null) return done(x, value, g, iteration, counter.evaluations, maxAbs(g) <= gtol);
    memory.push(subtract(step.x, x), subtract(step.g, g));
    const previous = value;
    [x, g, value] = [step.x, step.g, step.value];
    if ((previous - value) / Math.max(Math.abs(previous), Math.abs(value), 1) <= ftol) {
      return done(x, value, g, iteration + 1, counter.evaluations, true);
    }
  }
  return done(x, value, g, maxIterations, counter.evaluations, maxAbs(g) <= gtol);
}

function done(x: Float64Array, value: number, g: Float64Array, iterations: number, evaluations: number, converged: boolean): LbfgsResult {
  return { x, value, iterations, evaluations, converged, gradientMax: maxAbs(g) };
}

/** The last m (s, y) pairs and the two-loop recursion over them. */
class History {
  private s: Float64Array[] = [];
  private y: Float64Array[] = [];
  private rho: number[] = [];
  constructor(private readonly m: number) {}

  get size(): number {
    return this.s.length;
  }

  clear(): void {
    this.s = [];
    this.y = [];
    this.rho = [];
  }

  push(s: Float64Array, y: Float64Array): void {
    const sy = dot(s, y);
    // Skip pairs without positive curvature: they would make the inverse Hessian indefinite.
    if (!(sy > 1e-10 * Math.sqrt(dot(y, y) * dot(s, s)))) return;
    if (this.s.length === this.m) {
      this.s.shift();
      this.y.shift();
      this.rho.shift();
    }
    this.s.push(s);
    this.y.push(y);
    this.rho.push(1 / sy);
  }

  /** direction = −H·g by the two-loop recursion, with H₀ = (sᵀy / yᵀy)·I. */
  direction(g: Float64Array, out: Float64Array): void {
    const k = this.s.length;
    out.set(g);
    const alpha = new Array<number>(k);
    for (let i = k - 1; i >= 0; i--) {
      alpha[i] = this.rho[i] * dot(this.s[i], out);
      axpy(-alpha[i], this.y[i], out);
    }
    if (k > 0) scale(out, 1 / (this.rho[k - 1] * dot(this.y[k - 1], this.y[k - 1])));
    for (let i = 0; i < k; i++) {
      const beta = this.rho[i] * dot(this.y[i], out);
      axpy(alpha[i] - beta, this.s[i], out);
    }
    scale(out, -1);
  }
}

interface Point {
  step: number;
  x: Float64Array;
  g: Float64Array;
  value: number;
  slope: number;
}

/** A step satisfying the strong Wolfe conditions, or null when none was found. */
function wolfeLineSearch(
  f: Objective,
  x: Float64Array,
  value: number,
  g: Float64Array,
  direction: Float64Array,
  slope: number,
  firstStep: number,
  maxEvaluations: number,
  counter: { evaluations: number }
): Point | null {
  const at = (step: number): Point => {
    const xs = Float64Array.from(x);
    axpy(step, direction, xs);
    const gs = new Float64Array(x.length);
    const v = f(xs, gs);
    counter.evaluations++;
    return { step, x: xs, g: gs, value: v, slope: dot(gs, direction) };
  };
  const origin: Point = { step: 0, x, g, value, slope };
  let previous = origin;
  let step = firstStep;
  for (let i = 0; i < maxEvaluations; i++) {
    const current = at(step);
    if (!Number.isFinite(current.value) || current.value > value + C1 * step * slope || (i > 0 && current.value >= previous.value)) {
      return zoom(at, origin, previous, current, maxEvaluations - i - 1);
    }
    if (Math.abs(current.slope) <= -C2 * slope) return current;
    if (current.slope >= 0) return zoom(at, origin, current, previous, maxEvaluations - i - 1);
    previous = current;
    step *= 2;
  }
  return null;
}

function zoom(at: (step: number) => Point, origin: Point, lo: Point, hi: Point, budget: number): Point | null {
  for (let i = 0; i < budget; i++) {
    const step = interpolate(lo, hi);
    const current = at(step);
    if (!Number.isFinite(current.value) || current.value > origin.value + C1 * step * origin.slope || current.value >= lo.value) {
      hi = current;
    } else {
      if (Math.abs(current.slope) <= -C2 * origin.slope) return current;
      if (current.slope * (hi.step - lo.step) >= 0) hi = lo;
      lo = current;
    }
    if (Math.abs(hi.step - lo.step) < 1e-12 * Math.max(1, lo.step)) break;
  }
  // No Wolfe point in budget: a step that decreased the objective is still progress.
  return lo.step > 0 && lo.value < origin.value ? lo : null;
}

/** Minimiser of the cubic through both ends (values and slopes), kept inside the bracket; else the midpoint. */
function interpolate(a: Point, b: Point): number {
  const lo = Math.min(a.step, b.step);
  const hi = Math.max(a.step, b.step);
  if (Number.isFinite(a.value) && Number.isFinite(b.value)) {
    const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.step - b.step);
    const disc = d1 * d1 - a.slope * b.slope;
    if (disc >= 0) {
      const d2 = Math.sign(b.step - a.step) * Math.sqrt(disc);
      const t = b.step - (b.step - a.step) * ((b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2));
      const margin = 0.1 * (hi - lo);
      if (Number.isFinite(t) && t > lo + margin && t < hi - margin) return t;
    }
  }
  return (lo + hi) / 2;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

function scale(x: Float64Array, alpha: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
}

function subtract(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
