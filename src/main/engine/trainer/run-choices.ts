/** The choices a run reports (RunChoices), and how much its validation accuracy can be trusted. */
import type { RunChoices } from '../../../shared/dto';
import type { LabeledItem } from './job-types';

/** Fewer validation photos than this, or fewer than MIN_PER_CLASS in a class, make a weak estimate. */
const MIN_PHOTOS = 30;
const MIN_PER_CLASS = 5;

export function validationQuality(
  val: readonly LabeledItem[],
  trainCount: number,
  numClasses: number,
  accuracy: number | null,
  cvAccuracy: number | null
): RunChoices['validation'] {
  const perClass = new Array<number>(numClasses).fill(0);
  for (const item of val) perClass[item.classIndex]++;
  const thin = perClass.filter((n) => n < MIN_PER_CLASS).length;
  const weak = val.length < MIN_PHOTOS || thin > 0;
  if (!weak) return { photos: val.length, weak, note: null };
  const cv = cvAccuracy === null ? '' : ` Cross-validation on the ${trainCount} training photos estimates ${percent(cvAccuracy)}.`;
  if (val.length === 0) return { photos: 0, weak, note: `No validation photos, so no validation accuracy.${cv}` };
  const p = accuracy ?? 0.5;
  const margin = Math.round(196 * Math.sqrt(Math.max(p * (1 - p), 1 / (4 * val.length)) / val.length));
  const few = thin > 0 ? ` (${thin} ${thin === 1 ? 'class has' : 'classes have'} fewer than ${MIN_PER_CLASS})` : '';
  return {
    photos: val.length,
    weak,
    note: `A weak estimate: only ${val.length} validation photos${few}, ±${margin} points.${cv} Label more photos for a firmer figure.`
  };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}
