/** The loss/accuracy chart with fixed data: what it hands Chart.js, its legend and its summary. */
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { Line } from 'vue-chartjs';
import type { EpochMetrics } from '../../src/shared/dto';
import TrainingChart from '../../src/renderer/components/TrainingChart.vue';
import { CURVE_COLORS, curveSeries, keptEpoch } from '../../src/renderer/lib/training-charts';
import { batchPoint, type BatchPoint } from '../../src/renderer/stores/training';

const history: EpochMetrics[] = [
  { stage: 'head', epoch: 1, loss: 0.9, acc: 0.55, valLoss: 0.8, valAcc: 0.6 },
  { stage: 'head', epoch: 2, loss: 0.5, acc: 0.8, valLoss: 0.45, valAcc: 0.85 },
  { stage: 'head', epoch: 3, loss: 0.3, acc: 0.9, valLoss: 0.35, valAcc: 0.9 }
];
const batches: BatchPoint[] = [
  { x: 0.5, loss: 1.0, acc: 0.5 },
  { x: 1, loss: 0.8, acc: 0.6 },
  { x: 1.5, loss: 0.6, acc: 0.75 },
  { x: 2, loss: 0.5, acc: 0.8 },
  { x: 2.5, loss: 0.35, acc: 0.88 },
  { x: 3, loss: 0.3, acc: 0.9 }
];

interface PassedDataset {
  label: string;
  data: unknown[];
  borderColor: string;
  pointRadius: number;
}
/** The parts of the options the tests read; Chart.js's own types are too wide to index. */
interface PassedOptions {
  animation: unknown;
  plugins: { legend: { display: boolean } };
  scales: { x: Record<string, unknown>; y: Record<string, unknown> & { ticks: { callback: (v: number) => string } } };
}

function lineProps(wrapper: ReturnType<typeof mount>): { data: { datasets: PassedDataset[] }; options: PassedOptions } {
  const line = wrapper.findComponent(Line);
  return { data: line.props('data') as { datasets: PassedDataset[] }, options: line.props('options') as PassedOptions };
}

describe('TrainingChart', () => {
  it('passes per-epoch train and validation loss and the per-batch curve to Chart.js', () => {
    const wrapper = mount(TrainingChart, { props: { metric: 'loss', history, batches } });
    const { data } = lineProps(wrapper);
    expect(data.datasets.map((d) => d.label)).toEqual(['Train (per batch, smoothed)', 'Train (per epoch)', 'Validation (per epoch)']);
    expect(data.datasets[1].data).toEqual([
      { x: 1, y: 0.9 },
      { x: 2, y: 0.5 },
      { x: 3, y: 0.3 }
    ]);
    expect(data.datasets[2].data).toEqual([
      { x: 1, y: 0.8 },
      { x: 2, y: 0.45 },
      { x: 3, y: 0.35 }
    ]);
    expect(data.datasets[0].data).toEqual(batches.map((b) => ({ x: b.x, y: b.loss })));
    expect(data.datasets[0].pointRadius).toBe(0);
    expect(data.datasets.map((d) => d.borderColor)).toEqual([CURVE_COLORS.batch, CURVE_COLORS.train, CURVE_COLORS.val]);
  });

  it('shows accuracy on a 0–100% axis with epochs on x, without animation, and its own legend', () => {
    const wrapper = mount(TrainingChart, { props: { metric: 'acc', history, batches: [] } });
    const { data, options } = lineProps(wrapper);
    expect(data.datasets.map((d) => d.label)).toEqual(['Train (per epoch)', 'Validation (per epoch)']);
    expect(options.scales.y).toMatchObject({ min: 0, max: 1, title: { text: 'Accuracy' } });
    expect(options.scales.y.ticks.callback(0.9)).toBe('90%');
    expect(options.scales.x).toMatchObject({ type: 'linear', min: 0, max: 5, title: { text: 'Epoch' } });
    expect(options.animation).toBe(false);
    expect(options.plugins.legend.display).toBe(false);
    const legend = wrapper.findAll('[data-testid="chart-legend"] li').map((li) => li.text());
    expect(legend).toEqual(['Train (per epoch)90.0%', 'Validation (per epoch)90.0%']);
    expect(wrapper.get('[role="img"]').attributes('aria-label')).toBe(
      'Accuracy after 3 epochs (epoch 3): Train (per epoch) 90.0%, Validation (per epoch) 90.0%.'
    );
    expect(wrapper.get('[data-testid="chart-acc"]').attributes('data-epochs')).toBe('3');
  });

  it('leaves out a per-batch curve too sparse to mean anything (a head trained in a second)', () => {
    const sparse = curveSeries(history, [batches[1], batches[5]], 'loss');
    expect(sparse.map((s) => s.key)).toEqual(['train', 'val']);
  });

  it('waits with a message before the first batch, and leaves validation out while it has no values', () => {
    const empty = mount(TrainingChart, { props: { metric: 'loss', history: [], batches: [] } });
    expect(empty.text()).toContain('The curves appear with the first training batches.');
    const noVal = curveSeries([{ stage: 'head', epoch: 1, loss: 0.7, acc: 0.6, valLoss: null, valAcc: null }], [], 'loss');
    expect(noVal.map((s) => s.key)).toEqual(['train']);
  });

  it('places fine-tuning batches after the head epochs on the x axis', () => {
    const p = {
      runId: 1,
      phase: 'fine-tuning' as const,
      done: 5,
      total: 10,
      epoch: 2,
      epochs: 3,
      batchLoss: 0.2,
      batchAcc: 0.95,
      epochMetrics: null,
      imagesPerSec: 10,
      elapsedMs: 1000,
      etaMs: 1000,
      note: null
    };
    expect(batchPoint(p, 7)).toEqual({ x: 8.5, loss: 0.2, acc: 0.95 });
    expect(batchPoint({ ...p, phase: 'features' }, 7)).toBeNull();
  });

  it('for a finished run, reads at the epoch the saved model comes from and shows that model’s accuracy, the headline figure', () => {
    // Early stopping kept epoch 2 (lowest validation loss); epoch 3 was worse and is the last.
    const stopped: EpochMetrics[] = [
      { stage: 'head', epoch: 1, loss: 0.9, acc: 0.55, valLoss: 0.8, valAcc: 0.6 },
      { stage: 'head', epoch: 2, loss: 0.5, acc: 0.8, valLoss: 0.4, valAcc: 0.857 },
      { stage: 'head', epoch: 3, loss: 0.3, acc: 0.9, valLoss: 0.55, valAcc: 0.786 }
    ];
    expect(keptEpoch(stopped)).toBe(2);
    const wrapper = mount(TrainingChart, { props: { metric: 'acc', history: stopped, batches: [], saved: { epoch: 2, accuracy: 0.862 } } });
    expect(wrapper.get('[data-testid="chart-read-at"]').text()).toBe('at epoch 2, the one saved');
    // One validation figure, the headline's: the per-epoch curve (85.7% at epoch 2, one view per photo) shows none.
    expect(wrapper.find('[data-testid="chart-value-val"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="chart-value-train"]').text()).toBe('80.0%');
    expect(wrapper.get('[data-testid="chart-value-kept"]').text()).toBe('86.2%');
    expect(wrapper.get('[data-series="kept"]').text()).toContain('Saved model (epoch 2)');
    const kept = lineProps(wrapper).data.datasets.find((d) => d.label === 'Saved model (epoch 2)');
    expect(kept?.data).toEqual([{ x: 2, y: 0.862 }]);
  });

  it('keeps the lowest validation loss of the last stage: a fine-tuning stage replaces the head-only model', () => {
    const both: EpochMetrics[] = [
      { stage: 'head', epoch: 1, loss: 0.5, acc: 0.8, valLoss: 0.3, valAcc: 0.9 },
      { stage: 'head', epoch: 2, loss: 0.4, acc: 0.85, valLoss: 0.35, valAcc: 0.88 },
      { stage: 'fine-tune', epoch: 1, loss: 0.3, acc: 0.9, valLoss: 0.5, valAcc: 0.85 },
      { stage: 'fine-tune', epoch: 2, loss: 0.2, acc: 0.95, valLoss: 0.45, valAcc: 0.86 },
      { stage: 'fine-tune', epoch: 3, loss: 0.1, acc: 0.97, valLoss: 0.44995, valAcc: 0.87 }
    ];
    // Epoch 3's loss is lower by less than the trainer's smallest improvement: epoch 2 (x = 4) is kept.
    expect(keptEpoch(both)).toBe(4);
    expect(keptEpoch([{ stage: 'head', epoch: 1, loss: 0.7, acc: 0.6, valLoss: null, valAcc: null }])).toBe(1);
    expect(keptEpoch([])).toBeNull();
  });
});
