/** Wording and number formats the training views share. */
import type { TrainingPhase } from '../../shared/dto';

export const PHASE_LABELS: Record<TrainingPhase, string> = {
  loading: 'Loading the backbone',
  features: 'Computing features',
  training: 'Training the head',
  'fine-tuning': 'Fine-tuning the top block',
  evaluating: 'Evaluating on validation photos',
  predicting: 'Predicting unlabeled photos',
  saving: 'Saving the model'
};

/** Human labels of tfjs backend names. */
const BACKEND_LABELS: Record<string, string> = { tensorflow: 'Native (TensorFlow)', wasm: 'WebAssembly', cpu: 'JavaScript CPU' };

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
