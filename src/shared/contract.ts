/**
 * The one API contract. Every invoke channel's request schema and response type, and every
 * event's payload, live here. Three transports carry it: Electron IPC, serve-mode HTTP + SSE,
 * and direct calls (CLI, tests). Requests are validated against these schemas at the boundary.
 */
import { z } from 'zod';
import type {
  AppInfo,
  BackboneStatus,
  BackendInfo,
  ClassDto,
  DownloadFinished,
  DownloadProgress,
  FolderDto,
  ImportProgress,
  ImportResult,
  LabelChangeResult,
  LabelDelta,
  PhotoDto,
  PhotoPage,
  ProjectInfo,
  ProjectStats,
  PredictionFinished,
  PredictionPage,
  PredictionProgress,
  RunDetail,
  RunSummary,
  TrainingBusy,
  TrainingFinished,
  TrainingPlanPreview,
  TrainingProgress,
  WeightsCheck
} from './dto';
import type { ExplainLayers, FilterJobEvent, PhotoExplanationDto } from './explain-dto';

const id = z.number().int().positive();
const nonEmpty = z.string().trim().min(1).max(4096);
const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'color must be #rrggbb');
const hotkey = z
  .string()
  .regex(/^[a-zA-Z1-9]$/, 'hotkey must be one letter or digit 1-9')
  .nullable();
const empty = z.object({}).strict().optional();

/** Paths cross the boundary absolute: the main side's working folder means nothing to the user. */
const absolutePath = nonEmpty.refine(
  (p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'),
  'must be an absolute path (e.g. /home/me/photos or C:\\Photos)'
);

/** Seed of a run's validation split, shuffling and initialisation unless the person gives one. */
export const DEFAULT_SEED = 42;

/** Seconds a run may spend on optional work (a larger input size, fine-tuning) unless the person gives another budget. */
export const DEFAULT_TIME_BUDGET_SECONDS = 600;

/**
 * What a run may be told; every field may be left out. `training:start` starts a run with
 * these, `training:plan` says what such a run would use. Both schemas end in `.prefault({})`: an
 * omitted request is parsed as `{}`, so the defaults apply to it too (an outer `.optional()`
 * would pass `undefined` through with no defaults at all).
 */
const trainingRequest = z
  .object({
    backboneId: nonEmpty.optional(),
    weightsPath: absolutePath.optional(),
    epochs: z.number().int().min(1).max(500).optional(),
    /** 'auto': the run fine-tunes the top block when a cross-validation says it pays and it fits the time budget. */
    fineTune: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** Seconds the run may spend on optional work (a larger input size, fine-tuning). */
    timeBudgetSeconds: z.number().int().min(10).max(86_400).default(DEFAULT_TIME_BUDGET_SECONDS),
    /** 'logistic-cv': full-batch logistic regression, its L2 strength chosen by CV on the training photos; 'adam': dropout + dense, early stopping. */
    headTraining: z.enum(['logistic-cv', 'adam']).default('logistic-cv'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(DEFAULT_SEED),
    inputSize: z.number().int().min(32).max(1024).optional(),
    head: z.enum(['gap', 'vgg-fc']).default('gap')
  })
  .strict()
  .prefault({});

/** Which photos a grid query covers. */
export const photoFilterSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('unlabeled') }),
  z.object({ kind: z.literal('labeled') }),
  /** Labeled by accepting the model's suggestion (label source 'model'), not by the person's own key. */
  z.object({ kind: z.literal('accepted') }),
  z.object({ kind: z.literal('skipped') }),
  z.object({ kind: z.literal('class'), classId: id }),
  z.object({ kind: z.literal('split'), split: nonEmpty }),
  // Training filters (issue 6). Each has its own order, which replaces the grid's sort.
  /** A run's mistakes: validation photos it predicted wrong, highest loss first. */
  z.object({ kind: z.literal('mistakes'), runId: id }),
  /** One confusion-matrix cell: indices into the run's `classes` (rows true, columns predicted), highest loss first. */
  z.object({ kind: z.literal('confusion'), runId: id, trueIndex: z.number().int().min(0), predictedIndex: z.number().int().min(0) }),
  /** Unlabeled photos the active model suggests as this class, most certain first. */
  z.object({ kind: z.literal('suggested'), classId: id }),
  /** Unlabeled photos with a suggestion from the active model, least certain first. */
  z.object({ kind: z.literal('uncertain') })
]);
export type PhotoFilter = z.infer<typeof photoFilterSchema>;

export const photoSortSchema = z.enum(['name', 'date', 'class']);
export type PhotoSort = z.infer<typeof photoSortSchema>;

const photoQuery = {
  filter: photoFilterSchema.default({ kind: 'all' }),
  /** Case-insensitive substring of the file name. */
  search: z.string().max(256).default(''),
  sort: photoSortSchema.default('name')
};

// ── What the network sees (issue 15) and Try a photo (issue 12): requests, answers, event ──
const backboneChoice = { backboneId: nonEmpty.max(64).optional(), weightsPath: absolutePath.optional() };
/** An image handed over as bytes (serve mode cannot name a file outside the project), base64, ≤ ~700 KB. */
const uploadedImage = z.object({ name: z.string().max(256), base64: z.string().min(1).max(1_000_000) }).strict();
const explainRequestSchemas = {
  /** Conv layers of the given backbone, else the active run's, else the default backbone's. */
  'explain:layers': z.object(backboneChoice).strict().prefault({}),
  /**
   * Starts filter images of filters first … first + count − 1 of a layer in the training process
   * (a filter job already running is cancelled). Answers at once; 'explain:filters' events carry the rest.
   */
  'explain:filters': z
    .object({
      ...backboneChoice,
      layer: nonEmpty.max(256),
      first: z.number().int().min(0).default(0),
      count: z.number().int().min(1).max(64).default(16),
      /** Gradient-ascent steps (default 30). */
      steps: z.number().int().min(1).max(500).optional()
    })
    .strict(),
  'explain:cancel': z.object({ jobId: id }).strict(),
  /**
   * The active (or given) run's top classes and Grad-CAM for one image: a project photo, any file,
   * or bytes. The heatmap explains `className`, by default the predicted class.
   */
  'explain:photo': z
    .object({
      runId: id.optional(),
      photoId: id.optional(),
      path: absolutePath.optional(),
      image: uploadedImage.optional(),
      className: nonEmpty.max(64).optional()
    })
    .strict()
    .refine((r) => [r.photoId, r.path, r.image].filter((v) => v !== undefined).length === 1, 'give exactly one of photoId, path, image')
};
interface ExplainResponses {
  'explain:layers': ExplainLayers;
  'explain:filters': { jobId: number };
  'explain:cancel': { cancelled: boolean };
  'explain:photo': PhotoExplanationDto;
}

export const requestSchemas = {
  'app:info': empty,
  'project:current': empty,
  'project:open': z.object({ path: absolutePath }).strict(),
  'project:create': z.object({ path: absolutePath }).strict(),
  'folders:list': empty,
  'folders:add': z.object({ path: absolutePath, classesFromFolders: z.boolean().default(false) }).strict(),
  'folders:rescan': z.object({ folderId: id.optional() }).strict().prefault({}),
  'folders:remove': z.object({ folderId: id }).strict(),
  'photos:page': z
    .object({ ...photoQuery, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(200) })
    .strict(),
  'photos:ids': z.object(photoQuery).strict(),
  'photos:get': z.object({ id }).strict(),
  'classes:list': empty,
  'classes:add': z.object({ name: nonEmpty.max(64), color: color.optional(), hotkey: hotkey.optional() }).strict(),
  'classes:update': z.object({ id, name: nonEmpty.max(64).optional(), color: color.optional(), hotkey: hotkey.optional() }).strict(),
  'classes:reorder': z.object({ ids: z.array(id).min(1) }).strict(),
  'classes:delete': z.object({ id }).strict(),
  'classes:merge': z.object({ sourceId: id, targetId: id }).strict(),
  'labels:assign': z.object({ photoIds: z.array(id).min(1).max(100_000), classId: id.nullable() }).strict(),
  /** Reverts the newest change; with `step`, only if that is still the newest change (else CONFLICT). */
  'labels:undo': z.object({ step: id.optional() }).strict().optional(),
  'labels:redo': empty,
  'stats:get': empty,
  'engine:status': empty,
  'models:backbones': empty,
  'models:import-weights': z.object({ backboneId: nonEmpty, path: absolutePath }).strict(),
  /** Which network a weights file or folder is for (read in the training process), and whether it fits `backboneId` (any backbone when absent). */
  'models:check-weights': z.object({ path: absolutePath, backboneId: nonEmpty.optional() }).strict(),
  /**
   * Starts downloading a backbone's weights (resumes a partial file, checks the MD5) and answers
   * at once; 'models:download-progress' and 'models:download-finished' carry the rest.
   */
  'models:download': z.object({ backboneId: nonEmpty }).strict(),
  /** Starts a run in the training process with the choices 'training:plan' shows for the same request. */
  'training:start': trainingRequest,
  'training:cancel': z.object({ runId: id.optional() }).strict().prefault({}),
  /**
   * What a run started now with this request would train on (labeled photos per class and
   * split) and use (backbone, weights, input size and why, epochs, seed…), or why it could not start.
   */
  'training:plan': trainingRequest,
  'training:runs': empty,
  /** What holds the one training-process slot now: a run training, a re-predict, or nothing. */
  'training:busy': empty,
  'training:run': z.object({ runId: id }).strict(),
  'training:set-active': z.object({ runId: id }).strict(),
  /**
   * Runs the active (or given) run's model over every unlabeled photo again. Answers at once
   * with the run whose model predicts; 'predictions:progress' and 'predictions:finished' carry the rest.
   */
  'training:predict': z.object({ runId: id.optional() }).strict().prefault({}),
  /**
   * Writes `<outDir>/model/` and `<outDir>/predictions.csv`. A folder that is not empty is refused
   * (CONFLICT) unless `replace`: then those two are replaced and nothing else there is touched.
   */
  'training:export': z.object({ runId: id, outDir: absolutePath, replace: z.boolean().default(false) }).strict(),
  /** Suggestions for unlabeled photos from the active (or given) run; least certain first by default. */
  'predictions:list': z
    .object({
      runId: id.optional(),
      classId: id.optional(),
      /** Only suggestions at least this confident, 0–1 (how many "Accept all at or above" would label). */
      minConfidence: z.number().min(0).max(1).optional(),
      order: z.enum(['least-certain', 'most-certain']).default('least-certain'),
      offset: z.number().int().min(0).default(0),
      limit: z.number().int().min(1).max(1000).default(200)
    })
    .strict()
    .prefault({}),
  /** Accepted suggestions become labels with source 'model'; photos labeled meanwhile keep theirs. */
  'predictions:accept': z
    .object({
      runId: id.optional(),
      photoIds: z.array(id).min(1).max(100_000).optional(),
      minConfidence: z.number().min(0).max(1).optional()
    })
    .strict()
    .refine((r) => r.photoIds !== undefined || r.minConfidence !== undefined, 'give photoIds or minConfidence'),
  /** Drops suggestions the user turned down; the photos stay unlabeled until a new prediction. */
  'predictions:reject': z.object({ runId: id.optional(), photoIds: z.array(id).min(1).max(100_000) }).strict(),
  ...explainRequestSchemas
} as const;

export type Channel = keyof typeof requestSchemas;

/** Request type of a channel, as the caller writes it (defaults may be omitted). */
export type RequestIn<C extends Channel> = z.input<(typeof requestSchemas)[C]>;
/** Request type of a channel after validation (defaults filled in). */
export type Request<C extends Channel> = z.output<(typeof requestSchemas)[C]>;

export interface ResponseMap extends ExplainResponses {
  'app:info': AppInfo;
  'project:current': ProjectInfo | null;
  'project:open': ProjectInfo;
  'project:create': ProjectInfo;
  'folders:list': FolderDto[];
  'folders:add': ImportResult;
  'folders:rescan': ImportResult[];
  'folders:remove': { removedPhotos: number };
  'photos:page': PhotoPage;
  'photos:ids': number[];
  'photos:get': PhotoDto;
  'classes:list': ClassDto[];
  'classes:add': ClassDto;
  'classes:update': ClassDto;
  'classes:reorder': ClassDto[];
  /** `undoStep` names the change for labels:undo (a delete or merge is undone with its labels). */
  'classes:delete': { removedLabels: number; undoStep: number };
  'classes:merge': ClassDto & { undoStep: number };
  'labels:assign': LabelChangeResult;
  'labels:undo': LabelChangeResult;
  'labels:redo': LabelChangeResult;
  'stats:get': ProjectStats;
  'engine:status': BackendInfo;
  'models:backbones': BackboneStatus[];
  'models:import-weights': BackboneStatus;
  'models:check-weights': WeightsCheck;
  'models:download': { backboneId: string };
  'training:start': { runId: number };
  'training:cancel': { cancelled: boolean };
  'training:plan': TrainingPlanPreview;
  'training:runs': RunSummary[];
  'training:busy': TrainingBusy;
  'training:run': RunDetail;
  'training:set-active': RunSummary;
  'training:predict': { runId: number };
  /** Absolute paths written; `predictions` rows in the CSV. */
  'training:export': { modelDir: string; csvPath: string; predictions: number };
  'predictions:list': PredictionPage;
  /** Photos that got a label; `undoStep` names the change for labels:undo (null when nothing was accepted). */
  'predictions:accept': { accepted: number; photoIds: number[]; undoStep: number | null; delta: LabelDelta };
  /** Suggestions removed. */
  'predictions:reject': { rejected: number; delta: LabelDelta };
}
export type Response<C extends Channel> = ResponseMap[C];

/** Runtime allow-list of invoke channels; transports refuse anything else. */
export const CHANNELS = Object.keys(requestSchemas) as Channel[];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, value);
}

/** Payloads of events pushed from the main side to the renderer. */
export interface EventMap {
  'import:progress': ImportProgress;
  /** The open project changed (opened, created). */
  'project:changed': ProjectInfo;
  /**
   * Photos were added, removed or relabeled; the renderer refetches what it shows, except for a
   * label change that carries its `delta`: that is applied in place.
   */
  'library:changed': { reason: 'import' | 'rescan' | 'remove' | 'labels' | 'classes'; delta?: LabelDelta };
  'training:progress': TrainingProgress;
  'training:finished': TrainingFinished;
  /** A re-predict (training:predict) moved on; not a training run, so not 'training:progress'. */
  'predictions:progress': PredictionProgress;
  /** A re-predict ended (completed, cancelled or failed); the slot is free when it arrives. */
  'predictions:finished': PredictionFinished;
  /** A weights download ('models:download') moved on; at most a few a second. */
  'models:download-progress': DownloadProgress;
  /** A weights download ended (completed or failed). */
  'models:download-finished': DownloadFinished;
  /** A filter job (explain:filters) made an image, moved on, or ended. */
  'explain:filters': FilterJobEvent;
}
export type EventName = keyof EventMap;

/** Runtime allow-list of event names. */
export const EVENTS: EventName[] = [
  'import:progress',
  'project:changed',
  'library:changed',
  'training:progress',
  'training:finished',
  'predictions:progress',
  'predictions:finished',
  'models:download-progress',
  'models:download-finished',
  'explain:filters'
];

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENTS as string[]).includes(value);
}

/** A handler for every channel: the services implement this once for all transports. */
export type Handlers = { [C in Channel]: (req: Request<C>) => Promise<Response<C>> | Response<C> };

/** What the renderer and CLI call; same shape over every transport. */
export interface ApiClient {
  invoke<C extends Channel>(channel: C, req?: RequestIn<C>): Promise<Response<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}

/** Result of one invoke on the wire: exactly one of ok/error. */
export type InvokeEnvelope<C extends Channel = Channel> =
  { ok: true; data: Response<C> } | { ok: false; error: { code: import('./errors').ErrorCode; message: string } };

/** URL path of the image route (serve mode) and host part of the photo protocol (Electron). */
export const PHOTO_PROTOCOL = 'tstudio-photo';
export type PhotoVariant = 'thumb' | 'full';
