/** Number formats the main side and the renderer both print. */

/** An L2 inverse strength C: 0.01, 1, 100, or 1e-4 when a plain decimal would be long. */
export function formatC(c: number): string {
  return c >= 1e-3 && c < 1e4 ? String(Number(c.toPrecision(2))) : c.toExponential(0);
}
