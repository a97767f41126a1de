/**
 * Stratified k-fold assignment over groups (a photo and its mirror image are one group: they
 * must never sit on both sides of a fold). Without a seed it is scikit-learn's StratifiedKFold
 * (shuffle=False): groups sorted by class are dealt to folds so each fold's class counts differ
 * by at most one, and each class's groups go to the folds in their original order. With a seed
 * the groups of each class are shuffled first.
 */
import { createRng, shuffled } from '../trainer/rng';

/**
 * Fold index of each group, 0..folds−1. `groupClass[g]` is the class of group g. Throws when
 * a fold would be empty (fewer groups than folds).
 */
export function stratifiedFolds(groupClass: ArrayLike<number>, folds: number, seed?: number): Int32Array {
  const n = groupClass.length;
  if (folds < 2 || folds > n) throw new Error(`cannot make ${folds} folds of ${n} groups`);
  const classes = [...new Set(Array.from(groupClass))].sort((a, b) => a - b);
  const sortedClasses = Array.from(groupClass).sort((a, b) => a - b);
  // allocation[f][c]: how many groups of class c fold f gets (sklearn: bincount(y_sorted[f::k])).
  const allocation = Array.from({ length: folds }, (_, f) => {
    const counts = new Map<number, number>();
    for (let i = f; i < n; i += folds) counts.set(sortedClasses[i], (counts.get(sortedClasses[i]) ?? 0) + 1);
    return counts;
  });
  const out = new Int32Array(n);
  const rng = seed === undefined ? null : createRng(seed);
  for (const c of classes) {
    const members = [...Array(n).keys()].filter((g) => groupClass[g] === c);
    const order = rng ? shuffled(members, rng) : members;
    let next = 0;
    for (let f = 0; f < folds; f++) {
      for (let i = 0; i < (allocation[f].get(c) ?? 0); i++) out[order[next++]] = f;
    }
  }
  return out;
}

/** How many folds a class count allows: at most `wanted`, at least 2, never more than the smallest class. */
export function foldCount(groupClass: ArrayLike<number>, wanted: number): number {
  const counts = new Map<number, number>();
  for (let g = 0; g < groupClass.length; g++) counts.set(groupClass[g], (counts.get(groupClass[g]) ?? 0) + 1);
  const smallest = Math.min(...counts.values());
  return Math.max(2, Math.min(wanted, smallest));
}
