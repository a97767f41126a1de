/**
 * The one fake the component tests use: a transport backed by an in-memory library, so the
 * real api module, stores and components run unchanged on top of it.
 */
import type { Channel, EventName } from '../../src/shared/contract';
import type {
  ClassDto,
  LabelDelta,
  PhotoDto,
  PredictionFinished,
  PredictionProgress,
  ProjectStats,
  RunDetail,
  RunSummary,
  TrainingChoices
} from '../../src/shared/dto';
import type { Transport } from '../../src/renderer/api';

export interface FakeCall {
  channel: Channel;
  req: Record<string, unknown>;
}

export interface FakeBackend {
  transport: Transport;
  calls: FakeCall[];
  /** The open project's file; 'project:open' / 'project:create' switch it (runs stay as the test sets them). */
  projectPath: string;
  photos: PhotoDto[];
  classes: ClassDto[];
  /** Calls of one channel, in order. */
  callsOf(channel: Channel): Record<string, unknown>[];
  emit(event: EventName, payload: unknown): void;
  /** Channels that answer with this error instead of data. */
  failing: Map<Channel, { code: string; message: string }>;
  /** Channels answered by the test itself (e.g. the explain channels), before the built-in ones. */
  answers: Map<Channel, (req: Record<string, unknown>) => unknown>;
  /** What 'training:runs' lists (newest first), and 'training:run' details. */
  runs: RunSummary[];
  /** The re-predict holding the one training-process slot ('training:busy' tells), started here ('training:predict') or elsewhere. */
  predicting: FakePredict | null;
  /** A re-predict another window started: it holds the slot and sends its events; this window never asked for it. */
  startForeignPredict(runId: number): FakePredict;
}

/**
 * A re-predict in flight. Like the main side, 'training:predict' answered at once, and
 * 'training:cancel' (no run id, or this one) only asks it to stop; it ends when the test ends
 * it, which frees the slot and emits 'predictions:finished'.
 */
export interface FakePredict {
  runId: number;
  cancelRequested: boolean;
  /** Emits one 'predictions:progress' report. */
  progress(
    report: Pick<PredictionProgress, 'phase' | 'done' | 'total'> & Partial<Pick<PredictionProgress, 'imagesPerSec' | 'etaMs'>>
  ): void;
  /** Ends cancelled after a cancel; otherwise gives every unlabeled photo without one a suggestion and ends completed with how many photos were predicted. */
  end(): void;
  /** Ends failed with this error (the process crashed, the model is gone, …). */
  fail(code: string, message: string): void;
}

/** A completed run whose model is the active one, as 'training:runs' lists it. */
export function activeRunSummary(id: number, classes: string[]): RunSummary {
  return {
    id,
    status: 'completed',
    backboneId: 'mobilenet_v2',
    backend: 'wasm',
    classes,
    startedAt: 1_700_000_000_000,
    finishedAt: 1_700_000_060_000,
    valAccuracy: 0.9,
    active: true,
    error: null
  };
}

function runDetail(run: RunSummary): RunDetail {
  return {
    ...run,
    config: { backboneId: run.backboneId, weightsPath: '/models/base', inputSize: 224, head: 'gap', epochs: 10, fineTune: false, seed: 42 },
    timings: null,
    history: [],
    perClass: [],
    confusion: null,
    mistakes: [],
    modelPath: run.status === 'completed' ? `/tmp/fake.tstudio.models/run-${run.id}` : null,
    featuresComputed: null,
    featuresCached: null,
    peakRssBytes: null,
    choices: null,
    inference: null
  };
}

function startPredict(b: FakeBackend, req: Record<string, unknown>): Promise<unknown> {
  if (b.predicting)
    return Promise.resolve({
      ok: false,
      error: { code: 'BUSY', message: 'Suggestions are being predicted again; cancel that or wait for it.' }
    });
  const runId = (req.runId as number | undefined) ?? b.runs.find((r) => r.active)?.id;
  if (runId === undefined)
    return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: 'No trained model yet: train one first.' } });
  // Like the main side: the invoke answers at once, the events tell the rest.
  b.predicting = predictSlot(b, runId);
  return Promise.resolve({ ok: true, data: { runId } });
}

/** A re-predict holding the slot, started here or in another window. */
function predictSlot(b: FakeBackend, runId: number): FakePredict {
  const finish = (finished: PredictionFinished) => {
    b.predicting = null;
    b.emit('predictions:finished', finished);
  };
  return {
    runId,
    cancelRequested: false,
    progress: (report) => b.emit('predictions:progress', { runId, imagesPerSec: null, etaMs: null, ...report }),
    end() {
      if (this.cancelRequested) return finish({ runId, status: 'cancelled', predictions: null, error: null });
      const unlabeled = b.photos.filter((p) => p.classId === null);
      for (const p of unlabeled) p.suggestion ??= { classId: b.classes[0].id, confidence: 0.8 };
      finish({ runId, status: 'completed', predictions: unlabeled.length, error: null });
    },
    fail: (_code, message) => finish({ runId, status: 'failed', predictions: null, error: message })
  };
}

/**
 * What the main side would resolve for a plan request: the MobileNetV2 base unless VGG16 is
 * asked for; the fake's photos are 64 px, so MobileNetV2 stays at 224 (as choice-rules.ts says).
 */
function planChoices(req: Record<string, unknown>): TrainingChoices {
  const vgg = req.backboneId === 'vgg16';
  const asked = typeof req.inputSize === 'number' ? req.inputSize : null;
  const inputSize = asked ?? 224;
  // Auto with a handful of photos per class: the plan already says it stays off.
  const fineTune = req.fineTune === true;
  return {
    backboneId: vgg ? 'vgg16' : 'mobilenet_v2_035',
    backboneName: vgg ? 'VGG16 (ImageNet)' : 'MobileNetV2 0.35 (ImageNet, fast)',
    weightsPath: typeof req.weightsPath === 'string' ? req.weightsPath : `/models/${vgg ? 'vgg16' : 'mobilenet_v2_035'}/weights.h5`,
    inputSize,
    inputSizeCandidates: [inputSize],
    inputSizeReason:
      asked !== null
        ? `${asked} px: chosen by you`
        : vgg
          ? '224 px: the size these weights were trained at'
          : '224 px: the photos’ median short side is 64 px, so a larger input would only upscale them',
    head: req.head === 'vgg-fc' ? 'vgg-fc' : 'gap',
    headTraining: req.headTraining === 'adam' ? 'adam' : 'logistic-cv',
    headReason: 'logistic regression, its L2 strength chosen by 5-fold cross-validation on the training photos',
    epochs: typeof req.epochs === 'number' ? req.epochs : 50,
    fineTune,
    fineTuneReason: fineTune
      ? 'on: asked for (Always)'
      : req.fineTune === false
        ? 'off: asked for (Never)'
        : 'off: too few training photos per class to tell whether it pays (fewest 1, Auto needs 20)',
    timeBudgetSeconds: typeof req.timeBudgetSeconds === 'number' ? req.timeBudgetSeconds : 600,
    seed: typeof req.seed === 'number' ? req.seed : 42
  };
}

export function makePhotos(n: number): PhotoDto[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    folderId: 1,
    relPath: `p/${String(i + 1).padStart(5, '0')}.jpg`,
    name: `${String(i + 1).padStart(5, '0')}.jpg`,
    size: 1000,
    mtime: 1_700_000_000_000 + i,
    width: 64,
    height: 64,
    split: null,
    status: 'ok',
    error: null,
    classId: null,
    labelSource: null
  }));
}

function stats(b: FakeBackend): ProjectStats {
  const labeled = b.photos.filter((p) => p.classId !== null).length;
  const acceptedFromModel = b.photos.filter((p) => p.classId !== null && p.labelSource === 'model').length;
  return { photos: b.photos.length, labeled, unlabeled: b.photos.length - labeled, acceptedFromModel, skipped: 0, classes: {}, splits: {} };
}

let deltaSeq = 0;

/** Like the main side: the answer carries the change's delta, and 'library:changed' announces it. */
function labelsChanged<T extends object>(b: FakeBackend, answer: T, ids: number[]): T & { delta: LabelDelta } {
  const wanted = new Set(ids);
  const suggested = b.photos.filter((p) => p.classId === null && p.suggestion);
  const byClass: Record<number, number> = {};
  for (const p of suggested) byClass[p.suggestion!.classId] = (byClass[p.suggestion!.classId] ?? 0) + 1;
  const delta: LabelDelta = {
    seq: ++deltaSeq,
    photos: b.photos.filter((p) => wanted.has(p.id)).map((p) => ({ ...p })),
    counts: {
      stats: stats(b),
      classes: Object.fromEntries(withCounts(b.classes, b.photos).map((c) => [c.id, c.count])),
      suggestions: { total: suggested.length, byClass }
    }
  };
  if (ids.length > 0) b.emit('library:changed', { reason: 'labels', delta });
  return { ...answer, delta };
}

function withCounts(classes: ClassDto[], photos: PhotoDto[]): ClassDto[] {
  return classes.map((c) => ({ ...c, count: photos.filter((p) => p.classId === c.id).length }));
}

function matching(photos: PhotoDto[], req: Record<string, unknown>): PhotoDto[] {
  const filter = (req.filter ?? { kind: 'all' }) as { kind: string; classId?: number };
  const search = String(req.search ?? '').toLowerCase();
  const list = photos.filter((p) => {
    if (search && !p.name.toLowerCase().includes(search)) return false;
    if (filter.kind === 'unlabeled') return p.classId === null;
    if (filter.kind === 'labeled') return p.classId !== null;
    if (filter.kind === 'accepted') return p.classId !== null && p.labelSource === 'model';
    if (filter.kind === 'class') return p.classId === filter.classId;
    if (filter.kind === 'uncertain') return p.classId === null && !!p.suggestion;
    if (filter.kind === 'suggested') return p.classId === null && p.suggestion?.classId === filter.classId;
    return true;
  });
  // Like the main side: suggestion filters bring their own order (least / most certain first).
  if (filter.kind === 'uncertain') return list.sort((a, b) => a.suggestion!.confidence - b.suggestion!.confidence || a.id - b.id);
  if (filter.kind === 'suggested') return list.sort((a, b) => b.suggestion!.confidence - a.suggestion!.confidence || a.id - b.id);
  return list;
}

/** Two classes, ants (hotkey 1) and bees (hotkey 2), fresh each call (backends mutate them). */
export function antsAndBees(): ClassDto[] {
  return [
    { id: 1, name: 'ants', color: '#e6194b', hotkey: '1', position: 0, count: 0 },
    { id: 2, name: 'bees', color: '#3cb44b', hotkey: '2', position: 1, count: 0 }
  ];
}

export function createFakeBackend(photoCount: number, classes: ClassDto[] = []): FakeBackend {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const backend: FakeBackend = {
    calls: [],
    projectPath: '/tmp/fake.tstudio',
    failing: new Map(),
    answers: new Map(),
    runs: [],
    predicting: null,
    photos: makePhotos(photoCount),
    classes: [...classes],
    callsOf: (channel) => backend.calls.filter((c) => c.channel === channel).map((c) => c.req),
    emit: (event, payload) => listeners.get(event)?.forEach((fn) => fn(payload)),
    startForeignPredict: (runId) => (backend.predicting = predictSlot(backend, runId)),
    transport: {
      kind: 'test',
      async invoke(channel, raw) {
        const req = (raw ?? {}) as Record<string, unknown>;
        backend.calls.push({ channel, req });
        const failure = backend.failing.get(channel);
        if (failure) return { ok: false, error: failure };
        if (channel === 'training:predict') return startPredict(backend, req);
        const answer = backend.answers.get(channel);
        if (answer) return { ok: true, data: answer(req) };
        try {
          return { ok: true, data: handle(backend, channel, req) };
        } catch (err) {
          return { ok: false, error: { code: (err as { code?: string }).code ?? 'NOT_FOUND', message: (err as Error).message } };
        }
      },
      on(event, fn) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)!.add(fn);
        return () => listeners.get(event)?.delete(fn);
      },
      photoUrl: (id, variant) => `fake://${variant}/${id}`,
      pathForFile: () => null
    }
  };
  return backend;
}

type FakeLabel = Pick<PhotoDto, 'classId' | 'labelSource'>;
interface FakeStep {
  id: number;
  change: Map<number, FakeLabel>;
}
const history: { undo: FakeStep[]; redo: FakeStep[]; nextId: number } = { undo: [], redo: [], nextId: 1 };

/** Applies labels; returns what they replaced (the step that reverts it). */
function applyLabels(b: FakeBackend, change: Map<number, FakeLabel>): Map<number, FakeLabel> {
  const before = new Map<number, FakeLabel>();
  for (const p of b.photos) {
    const next = change.get(p.id);
    if (!next) continue;
    before.set(p.id, { classId: p.classId, labelSource: p.labelSource });
    Object.assign(p, next);
  }
  return before;
}

function record(change: Map<number, FakeLabel>): number {
  const id = history.nextId++;
  history.undo.push({ id, change });
  history.redo = [];
  return id;
}

function historyResult(photoIds: number[]): Record<string, unknown> {
  return {
    changed: photoIds.length,
    photoIds,
    canUndo: history.undo.length > 0,
    canRedo: history.redo.length > 0,
    undoStep: history.undo.at(-1)?.id ?? null
  };
}

function handle(b: FakeBackend, channel: Channel, req: Record<string, unknown>): unknown {
  switch (channel) {
    case 'project:current':
      return { path: b.projectPath, name: b.projectPath.replace(/^.*\/|\.tstudio$/g, ''), schemaVersion: 1 };
    case 'project:open':
    case 'project:create':
      b.projectPath = String(req.path);
      return handle(b, 'project:current', {});
    case 'training:export':
      return { modelDir: `${String(req.outDir)}/model`, csvPath: `${String(req.outDir)}/predictions.csv`, predictions: 0 };
    case 'folders:list':
      return [];
    case 'stats:get':
      return stats(b);
    case 'photos:get': {
      const photo = b.photos.find((p) => p.id === req.id);
      if (!photo) throw new Error(`Photo ${String(req.id)} is not in this project.`);
      return { ...photo };
    }
    case 'photos:page': {
      const all = matching(b.photos, req);
      const offset = Number(req.offset ?? 0);
      const limit = Number(req.limit ?? 200);
      return { total: all.length, offset, items: all.slice(offset, offset + limit).map((p) => ({ ...p })) };
    }
    case 'photos:ids':
      return matching(b.photos, req).map((p) => p.id);
    case 'classes:list':
      return withCounts(b.classes, b.photos);
    case 'classes:add': {
      const c: ClassDto = {
        id: b.classes.length + 1,
        name: String(req.name),
        color: String(req.color ?? '#123456'),
        hotkey: (req.hotkey as string | null) ?? null,
        position: b.classes.length,
        count: 0
      };
      b.classes.push(c);
      return c;
    }
    case 'classes:update': {
      const c = b.classes.find((x) => x.id === req.id);
      if (!c) throw new Error('No such class');
      Object.assign(c, Object.fromEntries(Object.entries(req).filter(([k]) => k !== 'id')));
      return c;
    }
    case 'classes:reorder': {
      (req.ids as number[]).forEach((id, position) => {
        const c = b.classes.find((x) => x.id === id);
        if (c) c.position = position;
      });
      return withCounts(b.classes, b.photos);
    }
    case 'classes:merge': {
      for (const p of b.photos) if (p.classId === req.sourceId) p.classId = req.targetId as number;
      b.classes = b.classes.filter((c) => c.id !== req.sourceId);
      return withCounts(b.classes, b.photos).find((c) => c.id === req.targetId);
    }
    case 'classes:delete': {
      const removed = b.photos.filter((p) => p.classId === req.id).length;
      b.classes = b.classes.filter((c) => c.id !== req.id);
      return { removedLabels: removed };
    }
    case 'labels:assign': {
      const classId = req.classId as number | null;
      const label: FakeLabel = { classId, labelSource: classId === null ? null : 'user' };
      const change = new Map((req.photoIds as number[]).map((id) => [id, label]));
      record(applyLabels(b, change));
      return labelsChanged(b, historyResult([...change.keys()]), [...change.keys()]);
    }
    case 'labels:undo':
    case 'labels:redo': {
      if (channel === 'labels:undo' && req.step !== undefined && history.undo.at(-1)?.id !== req.step)
        throw Object.assign(new Error('That change is no longer the last one.'), { code: 'CONFLICT' });
      const [from, to] = channel === 'labels:undo' ? [history.undo, history.redo] : [history.redo, history.undo];
      const step = from.pop();
      if (step) to.push({ id: step.id, change: applyLabels(b, step.change) });
      const ids = step ? [...step.change.keys()] : [];
      return labelsChanged(b, historyResult(ids), ids);
    }
    case 'engine:status':
      return {
        backend: 'wasm',
        device: 'cpu',
        label: 'CPU · WebAssembly (tfjs-node not installed)',
        unavailable: [{ name: 'tfjs-node', reason: 'not installed' }]
      };
    case 'models:backbones':
      return [];
    case 'training:runs':
      return b.runs.map((r) => ({ ...r }));
    case 'training:run': {
      const run = b.runs.find((r) => r.id === req.runId);
      if (!run) throw new Error(`Run ${String(req.runId)} does not exist.`);
      return runDetail(run);
    }
    case 'training:busy':
      return b.predicting ? { kind: 'predicting', runId: b.predicting.runId } : { kind: null, runId: null };
    case 'training:cancel': {
      const p = b.predicting;
      if (!p || (req.runId !== undefined && req.runId !== p.runId)) return { cancelled: false };
      p.cancelRequested = true;
      return { cancelled: true };
    }
    case 'training:plan': {
      const labeled = new Set(b.photos.flatMap((p) => (p.classId === null ? [] : [p.classId])));
      const message = `Label photos in at least two classes before training (labeled classes: ${labeled.size}).`;
      return {
        classes: b.classes.map((c) => ({ id: c.id, name: c.name, train: 0, val: 0 })),
        splitSource: 'random',
        unlabeled: b.photos.length,
        choices: planChoices(req),
        blocked: labeled.size < 2 ? { code: 'INVALID_REQUEST', message } : null
      };
    }
    case 'predictions:list': {
      const min = Number(req.minConfidence ?? 0);
      const suggested = b.photos.filter(
        (p) =>
          p.classId === null &&
          p.suggestion &&
          p.suggestion.confidence >= min &&
          (req.classId === undefined || p.suggestion.classId === req.classId)
      );
      return { runId: suggested.length ? 1 : null, total: suggested.length, items: [] };
    }
    case 'predictions:accept': {
      const wanted = new Set((req.photoIds as number[] | undefined) ?? b.photos.map((p) => p.id));
      const min = Number(req.minConfidence ?? 0);
      const chosen = b.photos.filter((p) => wanted.has(p.id) && p.classId === null && p.suggestion && p.suggestion.confidence >= min);
      const change = new Map(chosen.map((p): [number, FakeLabel] => [p.id, { classId: p.suggestion!.classId, labelSource: 'model' }]));
      const undoStep = chosen.length > 0 ? record(applyLabels(b, change)) : null;
      const photoIds = chosen.map((p) => p.id);
      return labelsChanged(b, { accepted: chosen.length, photoIds, undoStep }, photoIds);
    }
    case 'predictions:reject': {
      const ids = new Set(req.photoIds as number[]);
      const chosen = b.photos.filter((p) => ids.has(p.id) && p.suggestion);
      for (const p of chosen) p.suggestion = null;
      return labelsChanged(
        b,
        { rejected: chosen.length },
        chosen.map((p) => p.id)
      );
    }
    default:
      throw new Error(`fake transport does not implement ${channel}`);
  }
}

/** Resets the shared undo history between tests. */
export function resetFakeHistory(): void {
  history.undo = [];
  history.redo = [];
  history.nextId = 1;
}

/** Gives happy-dom elements a size, so the virtualizer has a viewport to fill. */
export function giveElementsSize(width: number, height: number): void {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => width });
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => height });
}

/** Waits for pending promises, timers and Vue updates to settle. */
export async function settle(ms = 60): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  await new Promise((r) => setTimeout(r, 0));
}
