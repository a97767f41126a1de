/** The confusion-matrix heatmap with fixed data: layout, counts, colors, labels and clicks. */
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ConfusionMatrix from '../../src/renderer/components/ConfusionMatrix.vue';
import { cellColor, confusionCells } from '../../src/renderer/lib/confusion';

const classes = ['ants', 'bees', 'wasps'];
// rows true, columns predicted
const matrix = [
  [8, 2, 0],
  [1, 9, 0],
  [0, 5, 5]
];

function mountMatrix() {
  return mount(ConfusionMatrix, { props: { classes, matrix } });
}

describe('ConfusionMatrix', () => {
  it('lays out true classes as rows and predicted classes as columns with the counts in the cells', () => {
    const wrapper = mountMatrix();
    expect(wrapper.findAll('thead th.col-head').map((th) => th.text())).toEqual(classes);
    expect(wrapper.findAll('tbody th').map((th) => th.text())).toEqual(classes);
    const counts = wrapper.findAll('tbody tr').map((tr) => tr.findAll('[data-testid="confusion-cell"] .count').map((c) => c.text()));
    expect(counts).toEqual([
      ['8', '2', '0'],
      ['1', '9', '0'],
      ['0', '5', '5']
    ]);
  });

  it('colors cells by their share of the row: blue right, red wrong, transparent when empty', () => {
    const cells = confusionCells(matrix);
    expect(cells[2][1].rowShare).toBe(0.5);
    expect(cells[0][0]).toMatchObject({ correct: true, rowShare: 0.8 });
    expect(cellColor(cells[0][0])).toBe('hsla(217, 78%, 52%, 0.744)');
    expect(cellColor(cells[0][1])).toBe('hsla(2, 78%, 52%, 0.276)');
    expect(cellColor(cells[0][2])).toBe('hsla(2, 78%, 52%, 0.000)');
    const wrapper = mountMatrix();
    const cell = wrapper.get('[data-true="wasps"][data-predicted="bees"]');
    expect(cell.attributes('style')).toContain('hsla(2, 78%, 52%, 0.51');
    expect(cell.text()).toContain('50%');
  });

  it('gives every cell a label a screen reader can read, and marks empty cells as not clickable', () => {
    const wrapper = mountMatrix();
    expect(wrapper.get('[data-true="ants"][data-predicted="bees"]').attributes('aria-label')).toBe(
      'True ants, predicted bees: 2 photos, 20% of ants'
    );
    expect(wrapper.get('[data-true="bees"][data-predicted="bees"]').attributes('aria-label')).toBe(
      'True bees, predicted bees (correct): 9 photos, 90% of bees'
    );
    expect(wrapper.get('[data-true="ants"][data-predicted="wasps"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('table').attributes('aria-label')).toContain('rows are true classes');
  });

  it('emits the true and predicted index of a clicked cell', async () => {
    const wrapper = mountMatrix();
    await wrapper.get('[data-true="wasps"][data-predicted="bees"]').trigger('click');
    expect(wrapper.emitted('select')).toEqual([[{ trueIndex: 2, predictedIndex: 1 }]]);
  });
});
