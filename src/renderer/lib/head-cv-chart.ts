/**
 * The chart of how the default head chose its L2 strength: held-out accuracy and log-loss of the
 * 5-fold cross-validation at each C tried (log scale), the chosen C marked. Pure functions, so
 * the tests check exactly what Chart.js is given without a canvas.
 */
import type { ChartData, ChartOptions } from 'chart.js';
import type { HeadCvPoint } from '../../shared/dto';
import { formatC } from '../../shared/format';
import { baseLineOptions, GRID_COLOR, TICK_COLOR } from './training-charts';

export const CV_COLORS = { accuracy: '#3b82f6', logLoss: '#f59e0b', chosen: '#16a34a' } as const;

interface XY {
  x: number;
  y: number;
}

/** The point the head was refitted with; null for runs recorded before points were marked. */
export function chosenPoint(points: readonly HeadCvPoint[]): HeadCvPoint | null {
  return points.find((p) => p.chosen === true) ?? null;
}

export function headCvData(points: readonly HeadCvPoint[]): ChartData<'line', XY[]> {
  const chosen = chosenPoint(points);
  const datasets: ChartData<'line', XY[]>['datasets'] = [
    line(
      'Held-out accuracy',
      CV_COLORS.accuracy,
      'yAcc',
      points.map((p) => ({ x: p.c, y: p.accuracy }))
    ),
    line(
      'Held-out log-loss',
      CV_COLORS.logLoss,
      'yLoss',
      points.map((p) => ({ x: p.c, y: p.logLoss }))
    )
  ];
  if (chosen) {
    datasets.unshift({
      label: 'Chosen',
      data: [{ x: chosen.c, y: chosen.accuracy }],
      yAxisID: 'yAcc',
      borderColor: CV_COLORS.chosen,
      backgroundColor: 'transparent',
      borderWidth: 2.5,
      pointRadius: 9,
      pointHoverRadius: 10,
      pointStyle: 'rectRot',
      showLine: false
    });
  }
  return { datasets };
}

function line(label: string, color: string, yAxisID: string, data: XY[]): ChartData<'line', XY[]>['datasets'][number] {
  return {
    label,
    data,
    yAxisID,
    borderColor: color,
    backgroundColor: color,
    borderWidth: 2.5,
    pointRadius: 3,
    pointHoverRadius: 5,
    tension: 0
  };
}

export function headCvOptions(): ChartOptions<'line'> {
  return {
    ...baseLineOptions(),
    plugins: {
      legend: { display: false },
      tooltip: {
        callbacks: {
          title: (items) => (items[0] ? `C = ${formatC(items[0].parsed.x ?? 0)}` : ''),
          label: (item) => {
            const y = item.parsed.y ?? 0;
            return `${item.dataset.label}: ${item.dataset.yAxisID === 'yLoss' ? y.toFixed(3) : `${(y * 100).toFixed(1)}%`}`;
          }
        }
      }
    },
    scales: {
      x: {
        type: 'logarithmic',
        title: { display: true, text: 'C, inverse L2 strength (right: weaker penalty)', color: TICK_COLOR },
        // Labels and grid lines at decades only: the minor ticks of a log axis crowd it.
        ticks: { color: TICK_COLOR, maxRotation: 0, callback: (v) => (isDecade(Number(v)) ? formatC(Number(v)) : '') },
        grid: { color: (ctx) => (isDecade(ctx.tick.value) ? GRID_COLOR : 'transparent') }
      },
      yAcc: {
        type: 'linear',
        position: 'left',
        title: { display: true, text: 'Held-out accuracy', color: CV_COLORS.accuracy },
        ticks: { color: TICK_COLOR, callback: (v) => `${Math.round(Number(v) * 100)}%` },
        grid: { color: GRID_COLOR }
      },
      yLoss: {
        type: 'linear',
        position: 'right',
        beginAtZero: true,
        title: { display: true, text: 'Held-out log-loss', color: CV_COLORS.logLoss },
        ticks: { color: TICK_COLOR, callback: (v) => Number(v).toFixed(2) },
        grid: { drawOnChartArea: false }
      }
    }
  };
}

function isDecade(v: number): boolean {
  const e = Math.log10(v);
  return Math.abs(e - Math.round(e)) < 1e-9;
}

/** One sentence for screen readers and tests: what was tried and what was chosen. */
export function headCvSummary(points: readonly HeadCvPoint[]): string {
  if (points.length === 0) return 'The classifier was not cross-validated.';
  const range = `${points.length} strengths tried, C = ${formatC(points[0].c)} to ${formatC(points[points.length - 1].c)}`;
  const chosen = chosenPoint(points);
  if (!chosen) return `${range}.`;
  return `${range}; chosen C = ${formatC(chosen.c)}: held-out accuracy ${(chosen.accuracy * 100).toFixed(1)}%, log-loss ${chosen.logLoss.toFixed(3)}.`;
}
