/** The bench:scale table: one row per figure, one column per library size, and its growth exponent. */
import type { SizeFigures } from './measure-size';

export function printReport(results: Map<number, SizeFigures>): void {
  const sizes = [...results.keys()];
  const names = Object.keys(results.get(sizes[0]) ?? {});
  const width = Math.max(...names.map((n) => n.length)) + 2;
  console.log(`${'figure'.padEnd(width)}${sizes.map((s) => String(s).padStart(10)).join('')}  growth exponent`);
  for (const name of names) {
    const values = sizes.map((s) => results.get(s)?.[name] ?? NaN);
    const exponent = growthExponent(sizes, values);
    console.log(
      `${name.padEnd(width)}${values.map((v) => format(v).padStart(10)).join('')}  ${Number.isFinite(exponent) ? exponent.toFixed(2) : '-'}`
    );
  }
}

/** Least-squares slope of log(value) over log(size): how the figure grows with the library. */
export function growthExponent(sizes: number[], values: number[]): number {
  const points = sizes.map((s, i) => [Math.log(s), Math.log(values[i])] as const).filter(([, y]) => Number.isFinite(y));
  if (points.length < 2) return NaN;
  const mx = points.reduce((a, [x]) => a + x, 0) / points.length;
  const my = points.reduce((a, [, y]) => a + y, 0) / points.length;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return num / den;
}

function format(v: number): string {
  if (!Number.isFinite(v)) return '-';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}
