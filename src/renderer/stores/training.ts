/**
 * Training state for every view: the backend and backbones, what a run would train on, the
 * live run fed by 'training:progress' / 'training:finished' (so the library stays usable and
 * the dashboard survives switching tabs), past runs and their details.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, watch } from 'vue';
import { DEFAULT_SEED, type RequestIn } from '../../shared/contract';
import type {
  BackboneStatus,
  BackendInfo,
  EpochMetrics,
  RunDetail,
  RunSummary,
  TrainingFinished,
  TrainingPlanPreview,
  TrainingProgress,
  ValidationExample
} from '../../shared/dto';
import { ApiError, errorMessage, invoke } from '../api';
import { useNoticesStore } from './notices';
import { useProjectStore } from './project';

/** One smoothed per-batch reading; x in epochs across stages (1.5 = half-way through epoch 2). */
export interface BatchPoint {
  x: number;
  loss: number;
  acc: number;
}

export interface LiveRun {
  runId: number;
  progress: TrainingProgress | null;
  history: EpochMetrics[];
  batches: BatchPoint[];
  /** Set once the run ended. */
  finished: TrainingFinished | null;
}

/** What the Advanced fold edits; null and '' mean "the default". */
export interface TrainOptions {
  backboneId: string;
  weightsPath: string;
  inputSize: number | null;
  epochs: number | null;
  /** 'auto': when cross-validation says it pays and it fits the time budget. */
  fineTune: boolean | 'auto';
  /** Minutes a run may spend on optional work (a larger input size, fine-tuning); null: the main side's default. */
  budgetMinutes: number | null;
  seed: number;
}

/** Per-batch points kept for the chart; older ones are thinned beyond this. */
const MAX_BATCH_POINTS = 1500;

export function batchPoint(p: TrainingProgress, headEpochs: number): BatchPoint | null {
  if (p.batchLoss === null || p.batchAcc === null || p.epoch === null || p.total <= 0) return null;
  if (p.phase !== 'training' && p.phase !== 'fine-tuning') return null;
  const offset = p.phase === 'fine-tuning' ? headEpochs : 0;
  return { x: offset + p.epoch - 1 + Math.min(1, p.done / p.total), loss: p.batchLoss, acc: p.batchAcc };
}

const OPTIONS_KEY = 'transferStudio.trainOptions';
const DEFAULT_OPTIONS: TrainOptions = {
  backboneId: '',
  weightsPath: '',
  inputSize: null,
  epochs: null,
  fineTune: 'auto',
  budgetMinutes: null,
  seed: DEFAULT_SEED
};
/** Settings typed in a burst (a weights path, key by key) make one plan request after this pause, ms. */
const PLAN_DEBOUNCE_MS = 250;

/** The last Advanced settings, each field checked (the stored text may be old or hand-edited). */
function loadOptions(): TrainOptions {
  const options = { ...DEFAULT_OPTIONS };
  let saved: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(OPTIONS_KEY) ?? '{}');
    if (parsed && typeof parsed === 'object') saved = parsed as Record<string, unknown>;
  } catch {
    return options;
  }
  const positive = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);
  if (typeof saved.backboneId === 'string') options.backboneId = saved.backboneId;
  if (typeof saved.weightsPath === 'string') options.weightsPath = saved.weightsPath;
  options.inputSize = positive(saved.inputSize);
  options.epochs = positive(saved.epochs);
  if (typeof saved.fineTune === 'boolean' || saved.fineTune === 'auto') options.fineTune = saved.fineTune;
  options.budgetMinutes = positive(saved.budgetMinutes);
  if (typeof saved.seed === 'number' && Number.isInteger(saved.seed) && saved.seed >= 0) options.seed = saved.seed;
  return options;
}

function saveOptions(options: TrainOptions): void {
  try {
    localStorage.setItem(OPTIONS_KEY, JSON.stringify(options));
  } catch {
    // Storage full or disabled: the settings just last for this session.
  }
}

export const useTrainingStore = defineStore('training', () => {
  const notices = useNoticesStore();
  const engine = ref<BackendInfo | null>(null);
  const backbones = ref<BackboneStatus[]>([]);
  /** What a run started now with the current options would train on and use, as the main side resolves it. */
  const plan = ref<TrainingPlanPreview | null>(null);
  /** Why the options cannot even be planned (e.g. a weights path that is not absolute); null when they can. */
  const planProblem = ref<string | null>(null);
  let planTimer: ReturnType<typeof setTimeout> | null = null;
  const options = reactive<TrainOptions>(loadOptions());
  // The weights path and the rest are remembered, so a retrain after a restart is one click again.
  watch(options, () => saveOptions(options), { deep: true });
  const live = ref<LiveRun | null>(null);
  const runs = ref<RunSummary[]>([]);
  const details = shallowRef<ReadonlyMap<number, RunDetail>>(new Map());
  const starting = ref(false);
  const running = computed(() => live.value !== null && live.value.finished === null);
  const activeRun = computed(() => runs.value.find((r) => r.active) ?? null);

  /**
   * Runs of the old project's training process: it goes on after another project is opened, and
   * its events must not show there (a run id means nothing across projects). Forgotten at its end.
   */
  const foreignRuns = new Set<number>();

  /** Runs belong to a project: when another project file opens, nothing of the old one's stays on screen. */
  function reset(): void {
    if (live.value && live.value.finished === null) foreignRuns.add(live.value.runId);
    live.value = null;
    runs.value = [];
    details.value = new Map();
    plan.value = null;
  }
  watch(
    () => useProjectStore().project?.path,
    (now, before) => {
      if (before !== undefined && now !== before) reset();
    },
    { flush: 'sync' }
  );

  /** Held details follow the runs list on which model is active (a new run takes over from the old one). */
  function syncActive(): void {
    const active = new Set(runs.value.filter((r) => r.active).map((r) => r.id));
    if ([...details.value.values()].every((d) => d.active === active.has(d.id))) return;
    details.value = new Map([...details.value].map(([id, d]) => [id, { ...d, active: active.has(id) }]));
  }

  async function loadEngine(): Promise<void> {
    try {
      [engine.value, backbones.value] = await Promise.all([invoke('engine:status'), invoke('models:backbones')]);
    } catch (err) {
      notices.error(err, 'Could not read the compute backend');
    }
  }

  /** Asks the main side what a run with the current options would do (the same request Train sends). */
  async function refreshPlan(): Promise<void> {
    if (planTimer) clearTimeout(planTimer);
    planTimer = null;
    try {
      plan.value = await invoke('training:plan', startRequest());
      planProblem.value = null;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_REQUEST') planProblem.value = errorMessage(err);
      else notices.error(err, 'Could not count the training photos');
    }
  }

  /** {@link refreshPlan} once the options have stopped changing for a moment. */
  function refreshPlanSoon(): void {
    if (planTimer) clearTimeout(planTimer);
    planTimer = setTimeout(() => void refreshPlan(), PLAN_DEBOUNCE_MS);
  }

  /** Past runs; a run still training (e.g. after a reload) becomes the live one again. */
  async function loadRuns(): Promise<void> {
    const asked = useProjectStore().project?.path;
    try {
      const listed = await invoke('training:runs');
      // Another project opened while this was asked: the answer is the old project's.
      if (useProjectStore().project?.path !== asked) return;
      runs.value = listed;
    } catch (err) {
      notices.error(err, 'Could not list the runs');
      return;
    }
    syncActive();
    const open = runs.value.find((r) => r.status === 'running');
    if (open && live.value?.runId !== open.id) {
      const detail = await loadRun(open.id, true);
      live.value = { runId: open.id, progress: null, history: detail?.history ?? [], batches: [], finished: null };
    }
  }

  async function loadRun(runId: number, force = false): Promise<RunDetail | null> {
    const held = details.value.get(runId);
    if (held && !force && held.status !== 'running') return held;
    const asked = useProjectStore().project?.path;
    try {
      const detail = await invoke('training:run', { runId });
      if (useProjectStore().project?.path !== asked) return null;
      details.value = new Map(details.value).set(runId, detail);
      return detail;
    } catch (err) {
      notices.error(err, `Could not open run ${runId}`);
      return null;
    }
  }

  function startRequest(): NonNullable<RequestIn<'training:start'>> {
    const req: NonNullable<RequestIn<'training:start'>> = { fineTune: options.fineTune, seed: options.seed };
    if (options.backboneId) req.backboneId = options.backboneId;
    if (options.weightsPath.trim()) req.weightsPath = options.weightsPath.trim();
    if (options.inputSize) req.inputSize = options.inputSize;
    if (options.epochs) req.epochs = options.epochs;
    if (options.budgetMinutes) req.timeBudgetSeconds = options.budgetMinutes * 60;
    return req;
  }

  async function start(): Promise<number | null> {
    if (running.value || starting.value) return null;
    starting.value = true;
    try {
      const { runId } = await invoke('training:start', startRequest());
      // Progress may have arrived before the answer; keep what it started.
      if (live.value?.runId !== runId) live.value = { runId, progress: null, history: [], batches: [], finished: null };
      void loadRuns();
      return runId;
    } catch (err) {
      notices.error(err, 'Could not start training');
      return null;
    } finally {
      starting.value = false;
    }
  }

  async function cancel(): Promise<void> {
    if (!live.value) return;
    try {
      await invoke('training:cancel', { runId: live.value.runId });
    } catch (err) {
      notices.error(err, 'Could not cancel');
    }
  }

  function onProgress(p: TrainingProgress): void {
    if (foreignRuns.has(p.runId)) return;
    if (!live.value || live.value.runId !== p.runId) {
      live.value = { runId: p.runId, progress: null, history: [], batches: [], finished: null };
    }
    const run = live.value;
    run.progress = p;
    if (p.epochMetrics) run.history = [...run.history, p.epochMetrics];
    const point = batchPoint(p, run.history.filter((h) => h.stage === 'head').length);
    if (point) {
      const kept = run.batches.length >= MAX_BATCH_POINTS ? run.batches.filter((_, i) => i % 2 === 0) : run.batches;
      run.batches = [...kept, point];
    }
  }

  async function onFinished(f: TrainingFinished): Promise<void> {
    if (foreignRuns.delete(f.runId)) return;
    if (!live.value || live.value.runId !== f.runId) {
      live.value = { runId: f.runId, progress: null, history: [], batches: [], finished: null };
    }
    live.value.finished = f;
    if (f.status === 'completed')
      notices.info(
        `Run ${f.runId} finished: ${f.valAccuracy === null ? 'no validation photos' : `${(f.valAccuracy * 100).toFixed(1)}% on validation`}.`
      );
    else if (f.status === 'cancelled') notices.info(`Run ${f.runId} was cancelled.`);
    else notices.error(new Error(f.error ?? 'unknown error'), `Run ${f.runId} failed`);
    await Promise.all([loadRuns(), loadRun(f.runId, true)]);
  }

  async function setActive(runId: number): Promise<boolean> {
    try {
      await invoke('training:set-active', { runId });
      await loadRuns();
      return true;
    } catch (err) {
      notices.error(err, 'Could not choose the model');
      return false;
    }
  }

  /**
   * Exports a run; a failure comes back as text for the form to show beside the path it is about
   * (`notEmpty`: the folder holds something, and exporting with `replace` would write there).
   */
  async function exportRun(
    runId: number,
    outDir: string,
    replace = false
  ): Promise<{ modelDir: string } | { error: string; notEmpty: boolean }> {
    try {
      const result = await invoke('training:export', { runId, outDir, replace });
      notices.info(`Exported the model to ${result.modelDir} and ${result.predictions} predictions to ${result.csvPath}.`);
      return { modelDir: result.modelDir };
    } catch (err) {
      return { error: errorMessage(err), notEmpty: err instanceof ApiError && err.code === 'CONFLICT' };
    }
  }

  /** Validation examples of a loaded run by photo id, for the verdict on thumbnails in its filters. */
  function verdicts(runId: number): ReadonlyMap<number, ValidationExample> {
    return new Map((details.value.get(runId)?.mistakes ?? []).map((m) => [m.photoId, m]));
  }

  /** The newest run worth showing on the dashboard: the live one, else the newest finished. */
  const latestRunId = computed(() => live.value?.runId ?? runs.value[0]?.id ?? null);

  return {
    engine,
    backbones,
    plan,
    planProblem,
    options,
    live,
    runs,
    details,
    starting,
    running,
    activeRun,
    latestRunId,
    loadEngine,
    reset,
    refreshPlan,
    refreshPlanSoon,
    loadRuns,
    loadRun,
    start,
    cancel,
    onProgress,
    onFinished,
    setActive,
    exportRun,
    verdicts
  };
});
