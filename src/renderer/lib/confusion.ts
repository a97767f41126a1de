/** Numbers behind the confusion-matrix heatmap. */

export interface ConfusionCell {
  trueIndex: number;
  predictedIndex: number;
  count: number;
  /** count / photos of the true class, 0–1 (0 for an empty row). */
  rowShare: number;
  correct: boolean;
}

/** Cells row by row (rows true, columns predicted), each with its share of its row. */
export function confusionCells(matrix: readonly (readonly number[])[]): ConfusionCell[][] {
  return matrix.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => ({ trueIndex: t, predictedIndex: p, count, rowShare: total > 0 ? count / total : 0, correct: t === p }));
  });
}

/**
 * Fill of a cell: blue for the diagonal (right), red for the rest (wrong), stronger with a
 * larger share of the row, so the eye finds the confusions without reading numbers.
 */
export function cellColor(cell: ConfusionCell): string {
  const hue = cell.correct ? 217 : 2;
  const alpha = cell.count === 0 ? 0 : 0.12 + 0.78 * cell.rowShare;
  return `hsla(${hue}, 78%, 52%, ${alpha.toFixed(3)})`;
}

/** Text on strong fills is white; on pale ones it keeps the theme's text color. */
export function cellTextIsLight(cell: ConfusionCell): boolean {
  return cell.count > 0 && cell.rowShare >= 0.5;
}
