/**
 * The data and options the loss and accuracy charts hand to Chart.js, built by pure functions
 * so the tests can check exactly what is drawn without a canvas.
 */
import type { ChartData, ChartOptions } from 'chart.js';
import type { EpochMetrics } from '../../shared/dto';
import type { BatchPoint } from '../stores/training';

export type CurveMetric = 'loss' | 'acc';

export interface CurvePoint {
  x: number;
  y: number;
}

export interface CurveSeries {
  key: 'batch' | 'train' | 'val' | 'kept';
  label: string;
  /** CSS color; fixed rather than themed because the canvas cannot read CSS variables. */
  color: string;
  points: CurvePoint[];
}

/** Readable on the light and the dark theme alike. */
export const CURVE_COLORS = { batch: 'rgba(96, 165, 250, 0.55)', train: '#3b82f6', val: '#f59e0b', kept: '#16a34a' } as const;
export const GRID_COLOR = 'rgba(128, 128, 128, 0.18)';
export const TICK_COLOR = '#8a94a3';

/** What every chart of the app shares: sized by its card, drawn at once, HTML legend. */
export function baseLineOptions(): Pick<
  ChartOptions<'line'>,
  'responsive' | 'maintainAspectRatio' | 'animation' | 'parsing' | 'normalized' | 'interaction'
> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    // Live updates arrive several times a second; animating each one only blurs the curve.
    animation: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false, axis: 'x' }
  };
}

/**
 * Train and validation per epoch (x = epochs done, across stages), plus the smoothed per-batch
 * training curve when there is one. Validation is left out while it has no values.
 */
export function curveSeries(history: readonly EpochMetrics[], batches: readonly BatchPoint[], metric: CurveMetric): CurveSeries[] {
  const train = history.map((h, i) => ({ x: i + 1, y: metric === 'loss' ? h.loss : h.acc }));
  const val = history.flatMap((h, i) => {
    const y = metric === 'loss' ? h.valLoss : h.valAcc;
    return y === null ? [] : [{ x: i + 1, y }];
  });
  const series: CurveSeries[] = [];
  // A head that trains in a second sends a handful of batch reports (they are throttled): drawn as
  // a line they would cut across the epochs, so the per-epoch curves tell it alone.
  if (batches.length > 0 && batches.length >= 2 * history.length) {
    series.push({
      key: 'batch',
      label: 'Train (per batch, smoothed)',
      color: CURVE_COLORS.batch,
      points: batches.map((b) => ({ x: b.x, y: metric === 'loss' ? b.loss : b.acc }))
    });
  }
  series.push({ key: 'train', label: 'Train (per epoch)', color: CURVE_COLORS.train, points: train });
  if (val.length > 0) series.push({ key: 'val', label: 'Validation (per epoch)', color: CURVE_COLORS.val, points: val });
  return series;
}

/** Smaller improvements of validation loss do not count as better: the trainer's own rule (engine/trainer/train-head.ts). */
const MIN_DELTA = 1e-4;

/**
 * The epoch (x, counted across stages) whose weights the saved model has. Early stopping keeps the
 * epoch of the lowest validation loss in the last stage trained (a fine-tuning stage starts its
 * own count and always replaces the head-only model); without validation photos, the last epoch.
 * Null before any epoch.
 */
export function keptEpoch(history: readonly EpochMetrics[]): number | null {
  if (history.length === 0) return null;
  const lastStage = history[history.length - 1].stage;
  let best = Infinity;
  let kept: number | null = null;
  history.forEach((h, i) => {
    if (h.stage !== lastStage) return;
    if (h.valLoss === null) kept = i + 1;
    else if (h.valLoss < best - MIN_DELTA) {
      best = h.valLoss;
      kept = i + 1;
    }
  });
  return kept ?? history.length;
}

export function chartData(series: readonly CurveSeries[]): ChartData<'line', CurvePoint[]> {
  return {
    datasets: series.map((s) => ({
      label: s.label,
      data: s.points,
      borderColor: s.color,
      backgroundColor: s.key === 'kept' ? 'transparent' : s.color,
      borderWidth: s.key === 'batch' ? 1.5 : 2.5,
      pointRadius: s.key === 'batch' ? 0 : s.key === 'kept' ? 9 : 3,
      pointHoverRadius: s.key === 'batch' ? 0 : s.key === 'kept' ? 10 : 5,
      pointStyle: s.key === 'kept' ? 'rectRot' : 'circle',
      showLine: s.key !== 'kept',
      tension: 0.25,
      order: s.key === 'batch' ? 2 : s.key === 'kept' ? 0 : 1
    }))
  };
}

/** Epoch where the fine-tuning stage begins (x of its first point), or null without one. */
export function fineTuneStart(history: readonly EpochMetrics[]): number | null {
  const i = history.findIndex((h) => h.stage === 'fine-tune');
  return i < 0 ? null : i + 1;
}

export function chartOptions(metric: CurveMetric, maxEpoch: number): ChartOptions<'line'> {
  const isAcc = metric === 'acc';
  return {
    ...baseLineOptions(),
    plugins: {
      // The legend is HTML beside the canvas, readable by screen readers.
      legend: { display: false },
      tooltip: {
        filter: (item) => item.dataset.label !== 'Train (per batch, smoothed)',
        callbacks: {
          title: (items) => (items[0] ? `Epoch ${Math.round(items[0].parsed.x ?? 0)}` : ''),
          label: (item) =>
            `${item.dataset.label}: ${isAcc ? `${((item.parsed.y ?? 0) * 100).toFixed(1)}%` : (item.parsed.y ?? 0).toFixed(3)}`
        }
      }
    },
    scales: {
      x: {
        type: 'linear',
        min: 0,
        max: Math.max(1, maxEpoch),
        title: { display: true, text: 'Epoch', color: TICK_COLOR },
        ticks: { color: TICK_COLOR, precision: 0 },
        grid: { color: GRID_COLOR }
      },
      y: {
        type: 'linear',
        ...(isAcc ? { min: 0, max: 1 } : { beginAtZero: true }),
        title: { display: true, text: isAcc ? 'Accuracy' : 'Loss (cross-entropy)', color: TICK_COLOR },
        ticks: { color: TICK_COLOR, callback: (v) => (isAcc ? `${Math.round(Number(v) * 100)}%` : Number(v).toFixed(2)) },
        grid: { color: GRID_COLOR }
      }
    }
  };
}
