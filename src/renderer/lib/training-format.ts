/** Wording and number formats the training views share. */
import type { RunTimings, TrainingPhase, TrainingProgress } from '../../shared/dto';

/** Plain words for each phase: the person labels photos; "head", "features" and "backbone" mean nothing to them. */
export const PHASE_LABELS: Record<TrainingPhase, string> = {
  loading: 'Loading the network',
  features: 'Reading your photos',
  training: 'Learning your classes',
  'fine-tuning': 'Refining the network',
  evaluating: 'Checking the validation photos',
  predicting: 'Suggesting classes for unlabeled photos',
  saving: 'Saving the model'
};

/** What a progress report means on screen: its words, what its count counts (null: no count), and whether the bar can fill. */
export interface ProgressView {
  label: string;
  unit: 'photos' | 'steps' | null;
  determinate: boolean;
}

/**
 * Turns a report into what is really going on. Refining (fine-tuning) first decodes the photos
 * (counted in photos) and then measures its speed on a batch (no count: the bar moves without
 * filling) before its first epoch; loading and saving have no count to show ("0 of 1" is no help).
 */
export function progressView(p: TrainingProgress): ProgressView {
  const label = PHASE_LABELS[p.phase];
  if (p.phase === 'loading' || p.phase === 'saving') return { label, unit: null, determinate: false };
  if (p.phase === 'fine-tuning' && p.epoch === null) {
    return p.done < p.total
      ? { label: `${label}: decoding the photos`, unit: 'photos', determinate: true }
      : { label: `${label}: getting ready, measuring its speed`, unit: null, determinate: false };
  }
  if (p.total <= 0) return { label, unit: null, determinate: false };
  const withEpoch = p.epoch !== null && p.epochs !== null ? `${label} · epoch ${p.epoch} of ${p.epochs}` : label;
  return { label: withEpoch, unit: p.phase === 'training' || p.phase === 'fine-tuning' ? 'steps' : 'photos', determinate: true };
}

/** Human labels of tfjs backend names. */
const BACKEND_LABELS: Record<string, string> = { tensorflow: 'Native (TensorFlow)', wasm: 'WebAssembly', cpu: 'Plain JavaScript' };

export function backendLabel(name: string | null): string {
  if (name === null) return '—';
  return BACKEND_LABELS[name] ?? name;
}

/** 0.9123 → "91.2%". */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(digits)}%`;
}

/** Milliseconds as "1 h 04 min", "3 min 07 s" or "12 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * Where a run's time went, for the line under its total: reading photos and learning always, and
 * the optional parts that took time (comparing input sizes, checking whether refining pays, the
 * refining itself), in the order they ran.
 */
export function timingBreakdown(t: RunTimings, fineTuned: boolean): string {
  const check = t.fineTuneCheck ?? 0;
  const parts: Array<[string, number, boolean]> = [
    ['comparing sizes', t.choose ?? 0, (t.choose ?? 0) >= 0.5],
    ['reading photos', t.features, true],
    ['checking refining', check, !fineTuned && check >= 0.5],
    ['learning', t.train, true],
    ['refining', t.fineTune, fineTuned]
  ];
  return parts
    .filter(([, , shown]) => shown)
    .map(([name, seconds]) => `${name} ${duration(seconds * 1000)}`)
    .join(' · ');
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function dateTime(epochMs: number): string {
  return dateFormat.format(new Date(epochMs));
}

/** Fewer labeled photos than this in a class earns a warning before training. */
export const FEW_PHOTOS = 10;

/** Names of backbone ids that have no manifest of their own (weights given as a path). */
const BACKBONE_NAMES: Record<string, string> = { mobilenet_v2: 'MobileNetV2', vgg16: 'VGG16', vgg19: 'VGG19', custom: 'Custom model' };

export function backboneName(id: string, known: readonly { id: string; displayName: string }[]): string {
  return known.find((b) => b.id === id)?.displayName ?? BACKBONE_NAMES[id] ?? id;
}
