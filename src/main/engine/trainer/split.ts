/**
 * Which labeled photos train and which validate. The photos' own split wins when the project
 * has one (ImageFolder convention); otherwise a stratified, seeded 20% goes to validation so
 * the same labels and seed always give the same split.
 */
import { createRng, shuffled } from './rng';

export type TrainSplit = 'train' | 'val' | 'excluded';

export interface SplitInput {
  /** The photo's split as imported (train, val, test, …) or null. */
  split: string | null;
  classIndex: number;
}

const VAL_NAMES = new Set(['val', 'valid', 'validation']);
const TRAIN_NAMES = new Set(['train', 'training']);
const TEST_NAMES = new Set(['test', 'testing']);

/** Maps an imported split name onto the trainer's use of it; null when it says nothing. */
export function normalizeSplit(split: string | null): TrainSplit | null {
  if (split === null) return null;
  const name = split.trim().toLowerCase();
  if (VAL_NAMES.has(name)) return 'val';
  if (TRAIN_NAMES.has(name)) return 'train';
  if (TEST_NAMES.has(name)) return 'excluded';
  return null;
}

/**
 * Uses the imported splits when there are both train and val photos among the labeled ones;
 * otherwise every class keeps at least one training photo and sends round(20%) to val.
 */
export function assignSplits(items: readonly SplitInput[], seed: number, valFraction = 0.2): TrainSplit[] {
  const named = items.map((item) => normalizeSplit(item.split));
  if (named.includes('train') && named.includes('val')) {
    return named.map((s) => s ?? 'train');
  }
  const out: TrainSplit[] = named.map((s) => (s === 'excluded' ? 'excluded' : 'train'));
  const rng = createRng(seed);
  const byClass = new Map<number, number[]>();
  out.forEach((s, i) => {
    if (s === 'excluded') return;
    const list = byClass.get(items[i].classIndex) ?? [];
    list.push(i);
    byClass.set(items[i].classIndex, list);
  });
  for (const classIndex of [...byClass.keys()].sort((a, b) => a - b)) {
    const indices = shuffled(byClass.get(classIndex) ?? [], rng);
    const nVal = Math.min(indices.length - 1, Math.round(indices.length * valFraction));
    for (const i of indices.slice(0, Math.max(0, nVal))) out[i] = 'val';
  }
  return out;
}

/**
 * "Balanced" class weights (n / (k · count)) when the largest class is over 1.5× the smallest,
 * else all ones: weighting a nearly balanced set only adds noise.
 */
export function classWeightsFor(labels: readonly number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const label of labels) counts[label]++;
  const present = counts.filter((c) => c > 0);
  if (present.length === 0) return counts.map(() => 1);
  const ratio = Math.max(...present) / Math.min(...present);
  if (ratio <= 1.5) return counts.map(() => 1);
  return counts.map((c) => (c === 0 ? 1 : labels.length / (present.length * c)));
}
