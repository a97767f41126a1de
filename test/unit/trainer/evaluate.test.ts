import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/main/engine/trainer/evaluate';

describe('evaluate', () => {
  // Four validation photos, two classes: one cat is taken for a dog.
  const probs = new Float32Array([0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7]);
  const result = evaluate(probs, [0, 0, 1, 1], [11, 12, 13, 14], ['cat', 'dog']);

  it('counts accuracy and the confusion matrix [true][predicted]', () => {
    expect(result.accuracy).toBe(0.75);
    expect(result.confusion).toEqual([
      [1, 1],
      [0, 2]
    ]);
  });

  it('computes per-class precision, recall, F1 and support', () => {
    expect(result.perClass[0]).toEqual({ name: 'cat', precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(result.perClass[1].precision).toBeCloseTo(2 / 3);
    expect(result.perClass[1].recall).toBe(1);
  });

  it('orders validation photos by loss, the mistake first', () => {
    expect(result.examples.map((e) => e.photoId)).toEqual([12, 14, 13, 11]);
    expect(result.examples[0]).toMatchObject({ trueIndex: 0, predictedIndex: 1 });
    expect(result.examples[0].loss).toBeCloseTo(-Math.log(0.4));
  });

  it('reports no accuracy without validation photos', () => {
    expect(evaluate(new Float32Array(), [], [], ['a', 'b']).accuracy).toBeNull();
  });
});
