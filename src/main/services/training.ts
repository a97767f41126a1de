/**
 * Training handlers: start/cancel runs in the training process, list and inspect runs, choose
 * the active model, predictions as suggestions, and export. One training process at a time per
 * app: a run or a re-predict, cancel stops either, and 'training:busy' says which holds it.
 * Both long jobs have one shape: the invoke answers at once with the run id, and events carry
 * the rest to every window ('training:progress' / 'training:finished' for a run,
 * 'predictions:progress' / 'predictions:finished' for a re-predict, each end sent once the slot
 * is free again).
 */
import path from 'node:path';
import type { Handlers, Request } from '../../shared/contract';
import type { PredictionFinished, PredictionPage, RunSummary } from '../../shared/dto';
import { AppError } from '../../shared/errors';
import { writeLabels } from '../db/label-repository';
import { acceptablePredictions, listPredictions, rejectPredictions } from '../db/training-prediction-repository';
import { insertOwnedRun } from '../db/run-owner-repository';
import { activeRunId, getRun, listRuns, runClasses, setActiveModel } from '../db/training-repository';
import type { SpawnStrategy } from '../worker/launcher';
import type { JobOutcome, WorkerJob } from '../worker/worker-job';
import type { EventBus } from './event-bus';
import { announceLabelChange } from './label-delta';
import type { ProjectSession } from './project-session';
import { failOrphanedRuns, HEARTBEAT_MS, keepOwning, thisProcess } from './run-owner';
import { exportRun } from './training-export';
import { startPredict } from './training-predict';
import { planTraining, previewTraining, type ModelDirs } from './training-plan';
import { TrainingRun } from './training-run';
import { toRunDetail, toRunSummary } from './training-views';

export type TrainingChannel =
  | 'training:start'
  | 'training:cancel'
  | 'training:plan'
  | 'training:runs'
  | 'training:busy'
  | 'training:run'
  | 'training:set-active'
  | 'training:predict'
  | 'training:export'
  | 'predictions:list'
  | 'predictions:accept'
  | 'predictions:reject';

export interface TrainingContext {
  current(): ProjectSession;
  events: EventBus;
  modelDirs: ModelDirs;
  /** How to start the training process; default fork under tsx (Electron passes utilityProcess). */
  spawn?: SpawnStrategy;
  /** Folder for exported ONNX graphs, kept between runs; none: exported afresh each run. */
  exportCacheDir?: string;
}

/** Where a run's model folder goes: beside the project file, `<project>.models/run-<id>`. */
export function runModelDir(projectPath: string, runId: number): string {
  return path.join(path.dirname(projectPath), `${path.basename(projectPath)}.models`, `run-${runId}`);
}

/**
 * What holds the app's one training-process slot. A re-predict holds it like a run does: both
 * start a training process, and a run finishing beside a re-predict would have its fresh
 * predictions overwritten by the older model's.
 */
type BusySlot = { kind: 'training'; run: TrainingRun } | { kind: 'predicting'; runId: number; job: WorkerJob<number> };

function slotRunId(slot: BusySlot): number {
  return slot.kind === 'training' ? slot.run.runId : slot.runId;
}

/** BUSY, saying what holds the slot and what the person can do about it. */
function busyError(slot: BusySlot, wanted: 'train' | 'predict'): AppError {
  if (slot.kind === 'training') {
    return new AppError(
      'BUSY',
      wanted === 'train'
        ? `Run ${slot.run.runId} is still training; cancel it or wait.`
        : 'A training run is in progress; predict again when it has finished.'
    );
  }
  const what = `Suggestions are being predicted again with run ${slot.runId}'s model`;
  return new AppError(
    'BUSY',
    wanted === 'train' ? `${what}; cancel that or wait until it has finished, then train.` : `${what}; cancel that or wait for it.`
  );
}

export function createTrainingHandlers(ctx: TrainingContext): Pick<Handlers, TrainingChannel> {
  let busy: BusySlot | null = null;
  const lastSettled = new WeakMap<ProjectSession['db'], number>();
  const db = () => {
    const session = ctx.current();
    // Runs whose owner died are not running any more: settle them when a project opens, and
    // again now and then (an owner in another process may die while this one looks on).
    const now = Date.now();
    if (now - (lastSettled.get(session.db) ?? -Infinity) >= HEARTBEAT_MS) {
      lastSettled.set(session.db, now);
      failOrphanedRuns(session.db, session.info.path, now);
    }
    return session.db;
  };
  return {
    'training:start': (req) => {
      if (busy) throw busyError(busy, 'train');
      const session = ctx.current();
      const plan = planTraining(db(), req, ctx.modelDirs);
      const runId = insertOwnedRun(
        session.db,
        { config: plan.summary, backboneId: plan.summary.backboneId, classes: plan.classes },
        thisProcess()
      );
      const config = { ...plan.config, modelDir: runModelDir(session.info.path, runId), exportCacheDir: ctx.exportCacheDir };
      const run = new TrainingRun({
        db: session.db,
        events: ctx.events,
        runId,
        classes: plan.classes,
        config,
        items: plan.items,
        unlabeled: plan.unlabeled,
        spawn: ctx.spawn
      });
      keepOwning(session.db, session.info.path, runId, run.done);
      const slot: BusySlot = { kind: 'training', run };
      busy = slot;
      void run.done.then(() => {
        if (busy === slot) busy = null;
      });
      return { runId };
    },
    // Stops whatever holds the slot: a training run, or a re-predict (named by its model's run).
    'training:cancel': (req) => {
      if (!busy || (req.runId !== undefined && req.runId !== slotRunId(busy))) return { cancelled: false };
      if (busy.kind === 'training') busy.run.cancel();
      else busy.job.cancel();
      return { cancelled: true };
    },
    'training:plan': (req) => previewTraining(db(), req, ctx.modelDirs),
    'training:runs': () => listRuns(db()).map(toRunSummary),
    'training:busy': () => (busy ? { kind: busy.kind, runId: slotRunId(busy) } : { kind: null, runId: null }),
    'training:run': (req) => toRunDetail(requireRun(db(), req.runId)),
    'training:set-active': (req) => {
      const d = db();
      if (!setActiveModel(d, req.runId)) throw new AppError('NOT_FOUND', `Run ${req.runId} has no saved model.`);
      return toRunSummary(requireRun(d, req.runId));
    },
    'training:predict': (req) => {
      if (busy) throw busyError(busy, 'predict');
      const d = db();
      const runId = req.runId ?? requireActive(d);
      const job = startPredict(d, requireRun(d, runId), {
        spawn: ctx.spawn,
        exportCacheDir: ctx.exportCacheDir,
        onProgress: (p) => ctx.events.emit('predictions:progress', { runId, ...p })
      });
      const slot: BusySlot = { kind: 'predicting', runId, job };
      busy = slot;
      // The end is announced once the slot is free, so a listener asking 'training:busy' hears it is over.
      void job.done.then((outcome) => {
        if (busy === slot) busy = null;
        ctx.events.emit('predictions:finished', predictionFinished(runId, outcome));
      });
      return { runId };
    },
    'training:export': (req) => exportRun(db(), requireRun(db(), req.runId), req.outDir, { replace: req.replace }),
    'predictions:list': (req) => suggestions(db(), req),
    'predictions:accept': (req) => {
      const session = ctx.current();
      const runId = req.runId ?? requireActive(session.db);
      const chosen = acceptablePredictions(session.db, runId, { photoIds: req.photoIds, minConfidence: req.minConfidence });
      let undoStep: number | null = null;
      if (chosen.length > 0) {
        const after = chosen.map((c) => ({ photoId: c.photoId, label: { classId: c.classId, source: 'model' as const } }));
        writeLabels(session.db, after);
        undoStep = session.history.record({ before: chosen.map((c) => ({ photoId: c.photoId, label: null })), after });
      }
      const photoIds = chosen.map((c) => c.photoId);
      return announceLabelChange(session.db, ctx.events, { accepted: chosen.length, photoIds, undoStep }, photoIds);
    },
    'predictions:reject': (req) => {
      const d = db();
      const rejected = rejectPredictions(d, req.runId ?? requireActive(d), req.photoIds);
      return announceLabelChange(d, ctx.events, { rejected }, rejected > 0 ? req.photoIds : []);
    }
  };
}

function predictionFinished(runId: number, outcome: JobOutcome<number>): PredictionFinished {
  if (outcome.status === 'completed') return { runId, status: 'completed', predictions: outcome.value, error: null };
  return { runId, status: outcome.status, predictions: null, error: outcome.status === 'failed' ? outcome.message : null };
}

function requireRun(db: ProjectSession['db'], runId: number) {
  const run = getRun(db, runId);
  if (!run) throw new AppError('NOT_FOUND', `Run ${runId} does not exist.`);
  return run;
}

function requireActive(db: ProjectSession['db']): number {
  const runId = activeRunId(db);
  if (runId === null) throw new AppError('NOT_FOUND', 'No trained model yet: train one first.');
  return runId;
}

function suggestions(db: ProjectSession['db'], req: Request<'predictions:list'>): PredictionPage {
  const runId = req.runId ?? activeRunId(db);
  if (runId === null) return { runId: null, total: 0, items: [] };
  const classes = runClasses(db, runId);
  if (!classes) throw new AppError('NOT_FOUND', `Run ${runId} does not exist.`);
  // Only the class names: the whole run (every validation example) is far more to read per call.
  const names = new Map(classes.map((c) => [c.id, c.name] as const));
  const page = listPredictions(db, {
    runId,
    classId: req.classId,
    minConfidence: req.minConfidence,
    order: req.order,
    offset: req.offset,
    limit: req.limit
  });
  return {
    runId,
    total: page.total,
    items: page.items.map((p) => ({
      photoId: p.photoId,
      classId: p.classId,
      className: names.get(p.classId) ?? '?',
      confidence: p.confidence
    }))
  };
}

export type { RunSummary };
