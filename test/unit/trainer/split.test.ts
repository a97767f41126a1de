import { describe, expect, it } from 'vitest';
import { assignSplits, classWeightsFor, normalizeSplit } from '../../../src/main/engine/trainer/split';

describe('normalizeSplit', () => {
  it('treats val, valid and validation as validation and test as excluded', () => {
    expect(['val', 'Valid', 'validation', 'train', 'test', 'misc', null].map(normalizeSplit)).toEqual([
      'val',
      'val',
      'val',
      'train',
      'excluded',
      null,
      null
    ]);
  });
});

describe('assignSplits', () => {
  it("keeps the photos' own train/val split and leaves test photos out", () => {
    const items = [
      { split: 'train', classIndex: 0 },
      { split: 'valid', classIndex: 0 },
      { split: 'test', classIndex: 1 },
      { split: 'train', classIndex: 1 }
    ];
    expect(assignSplits(items, 1)).toEqual(['train', 'val', 'excluded', 'train']);
  });

  it('without a split, sends a seeded, stratified 20% of each class to validation', () => {
    const items = [...Array(50)].map((_, i) => ({ split: null, classIndex: i < 40 ? 0 : 1 }));
    const a = assignSplits(items, 7);
    const valOf = (c: number) => a.filter((s, i) => s === 'val' && items[i].classIndex === c).length;
    expect([valOf(0), valOf(1)]).toEqual([8, 2]);
    expect(assignSplits(items, 7)).toEqual(a);
    expect(assignSplits(items, 8)).not.toEqual(a);
  });

  it('keeps at least one training photo in a class of one', () => {
    expect(
      assignSplits(
        [
          { split: null, classIndex: 0 },
          { split: null, classIndex: 1 }
        ],
        3
      )
    ).toEqual(['train', 'train']);
  });
});

describe('classWeightsFor', () => {
  it('is all ones when classes are nearly balanced', () => {
    expect(classWeightsFor([0, 0, 0, 1, 1, 1, 1], 2)).toEqual([1, 1]);
  });

  it('weights the rare class up when unbalanced (n / (k · count))', () => {
    expect(classWeightsFor([0, 0, 0, 0, 0, 0, 1, 1], 2)).toEqual([8 / 12, 8 / 4]);
  });
});
