/**
 * Evaluation of a run on its validation photos: accuracy, per-class precision/recall/F1,
 * the confusion matrix, and each photo's loss so the UI can show the mistakes first.
 */

export interface ClassMetrics {
  name: string;
  /** 0–1. */
  precision: number;
  recall: number;
  f1: number;
  /** Validation photos of this class. */
  support: number;
}

export interface ScoredExample {
  photoId: number;
  trueIndex: number;
  predictedIndex: number;
  /** Probability of the predicted class, 0–1. */
  confidence: number;
  /** Cross-entropy of the true class: -ln p(true). */
  loss: number;
  probs: number[];
}

export interface Evaluation {
  /** 0–1; null when there were no validation photos. */
  accuracy: number | null;
  perClass: ClassMetrics[];
  /** confusion[true][predicted] = count. */
  confusion: number[][];
  /** Highest loss first (the mistakes lead). */
  examples: ScoredExample[];
}

/** Row i of the returned list is argmax and max of row i of the [N, K] probabilities. */
export function argmaxRows(probs: Float32Array, numClasses: number): { index: number; value: number }[] {
  const out: { index: number; value: number }[] = [];
  for (let r = 0; r * numClasses < probs.length; r++) {
    let index = 0;
    for (let k = 1; k < numClasses; k++) if (probs[r * numClasses + k] > probs[r * numClasses + index]) index = k;
    out.push({ index, value: probs[r * numClasses + index] });
  }
  return out;
}

export function evaluate(
  probs: Float32Array,
  labels: readonly number[],
  photoIds: readonly number[],
  classNames: readonly string[]
): Evaluation {
  const k = classNames.length;
  const confusion = classNames.map(() => new Array<number>(k).fill(0));
  const examples = argmaxRows(probs, k).map((best, i) => {
    const row = Array.from(probs.subarray(i * k, (i + 1) * k));
    confusion[labels[i]][best.index]++;
    return {
      photoId: photoIds[i],
      trueIndex: labels[i],
      predictedIndex: best.index,
      confidence: best.value,
      loss: -Math.log(Math.max(row[labels[i]], 1e-7)),
      probs: row
    };
  });
  examples.sort((a, b) => b.loss - a.loss || a.photoId - b.photoId);
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  return {
    accuracy: labels.length > 0 ? correct / labels.length : null,
    perClass: classNames.map((name, i) => classMetrics(name, i, confusion)),
    confusion,
    examples
  };
}

function classMetrics(name: string, i: number, confusion: number[][]): ClassMetrics {
  const tp = confusion[i][i];
  const support = confusion[i].reduce((a, b) => a + b, 0);
  const predicted = confusion.reduce((sum, row) => sum + row[i], 0);
  const precision = predicted > 0 ? tp / predicted : 0;
  const recall = support > 0 ? tp / support : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { name, precision, recall, f1, support };
}
