/** Run records as the API shows them. */
import type {
  ClassMetricsDto,
  EpochMetrics,
  RunChoices,
  RunDetail,
  RunSummary,
  RunTimings,
  TrainingConfigDto,
  ValidationExample
} from '../../shared/dto';
import type { RunRecord } from '../db/training-repository';

/** The metrics JSON a completed run stores (see TrainingRun.complete). */
interface StoredMetrics {
  accuracy: number | null;
  perClass: ClassMetricsDto[];
  confusion: number[][];
  featuresComputed: number;
  featuresCached: number;
  peakRss?: number;
  /** Absent in runs recorded before issue 11; headCv absent in runs recorded before the ONNX merge. */
  choices?: Omit<RunChoices, 'headCv'> & { headCv?: RunChoices['headCv'] };
  inference?: string | null;
}

interface StoredExample {
  photoId: number;
  trueIndex: number;
  predictedIndex: number;
  confidence: number;
  loss: number;
}

export function toRunSummary(run: RunRecord): RunSummary {
  const metrics = run.metrics as StoredMetrics | null;
  return {
    id: run.id,
    status: run.status,
    backboneId: run.backboneId,
    backend: run.backend,
    classes: run.classes.map((c) => c.name),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    valAccuracy: metrics?.accuracy ?? null,
    active: run.active,
    error: run.error
  };
}

export function toRunDetail(run: RunRecord): RunDetail {
  const metrics = run.metrics as StoredMetrics | null;
  const names = run.classes.map((c) => c.name);
  const mistakes: ValidationExample[] = ((run.examples ?? []) as StoredExample[]).map((e) => ({
    photoId: e.photoId,
    trueClass: names[e.trueIndex],
    predictedClass: names[e.predictedIndex],
    confidence: e.confidence,
    loss: e.loss
  }));
  return {
    ...toRunSummary(run),
    config: run.config as TrainingConfigDto,
    timings: run.timings as RunTimings | null,
    history: run.history as EpochMetrics[],
    perClass: metrics?.perClass ?? [],
    confusion: metrics?.confusion ?? null,
    mistakes,
    modelPath: run.modelPath,
    featuresComputed: metrics?.featuresComputed ?? null,
    featuresCached: metrics?.featuresCached ?? null,
    peakRssBytes: metrics?.peakRss ?? null,
    choices: metrics?.choices ? { ...metrics.choices, headCv: metrics.choices.headCv ?? [] } : null,
    inference: metrics?.inference ?? null
  };
}
