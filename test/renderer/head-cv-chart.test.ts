/** The head's cross-validation chart with fixed points: what it hands Chart.js, and its summary. */
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { Line } from 'vue-chartjs';
import type { HeadCvPoint } from '../../src/shared/dto';
import HeadCvChart from '../../src/renderer/components/HeadCvChart.vue';
import { headCvOptions } from '../../src/renderer/lib/head-cv-chart';
import { formatC } from '../../src/shared/format';

const points: HeadCvPoint[] = [
  { c: 1e-4, accuracy: 0.7, logLoss: 1.9 },
  { c: 1e-3, accuracy: 0.8, logLoss: 0.9 },
  { c: 1e-2, accuracy: 0.85, logLoss: 0.5, chosen: true },
  { c: 1e-1, accuracy: 0.85, logLoss: 0.6 },
  { c: 1, accuracy: 0.83, logLoss: 0.8 }
];

interface PassedDataset {
  label: string;
  data: { x: number; y: number }[];
  yAxisID: string;
}

function datasets(wrapper: ReturnType<typeof mount>): PassedDataset[] {
  return (wrapper.findComponent(Line).props('data') as { datasets: PassedDataset[] }).datasets;
}

describe('HeadCvChart', () => {
  it('draws accuracy and log-loss at each C on their own axes, and marks the chosen C', () => {
    const wrapper = mount(HeadCvChart, { props: { points } });
    const passed = datasets(wrapper);
    expect(passed.map((d) => d.label)).toEqual(['Chosen', 'Held-out accuracy', 'Held-out log-loss']);
    expect(passed[0].data).toEqual([{ x: 1e-2, y: 0.85 }]);
    expect(passed[1].data).toEqual(points.map((p) => ({ x: p.c, y: p.accuracy })));
    expect(passed[2].data).toEqual(points.map((p) => ({ x: p.c, y: p.logLoss })));
    expect(passed.map((d) => d.yAxisID)).toEqual(['yAcc', 'yAcc', 'yLoss']);
    expect(wrapper.get('[data-testid="head-cv-summary"]').text()).toBe(
      '5 strengths tried, C = 1e-4 to 1; chosen C = 0.01: held-out accuracy 85.0%, log-loss 0.500.'
    );
    expect(wrapper.get('.chart-plot').attributes('aria-label')).toBe(wrapper.get('[data-testid="head-cv-summary"]').text());
  });

  it('has no marker for runs recorded before the chosen C was stored', () => {
    const old = points.map(({ chosen: _chosen, ...p }) => p);
    const wrapper = mount(HeadCvChart, { props: { points: old } });
    expect(datasets(wrapper).map((d) => d.label)).toEqual(['Held-out accuracy', 'Held-out log-loss']);
    expect(wrapper.get('[data-testid="head-cv-summary"]').text()).toBe('5 strengths tried, C = 1e-4 to 1.');
  });

  it('puts C on a log axis labelled at decades only', () => {
    const x = headCvOptions().scales?.x as { type: string; ticks: { callback: (v: number) => string } };
    expect(x.type).toBe('logarithmic');
    expect([1e-4, 3e-4, 1e-2, 0.05, 1, 100].map((v) => x.ticks.callback(v))).toEqual(['1e-4', '', '0.01', '', '1', '100']);
    expect(formatC(0.0031622776601683794)).toBe('0.0032');
  });
});
