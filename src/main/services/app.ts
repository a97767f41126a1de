import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  isChannel,
  requestSchemas,
  type ApiClient,
  type Channel,
  type Handlers,
  type InvokeEnvelope,
  type PhotoVariant,
  type RequestIn,
  type Response
} from '../../shared/contract';
import type { ProjectInfo } from '../../shared/dto';
import { AppError, toErrorPayload } from '../../shared/errors';
import { explainStorageError } from '../db/storage-errors';
import { EventBus } from './event-bus';
import { createFilterHandlers } from './explain-filters';
import { createExplainPhotoHandler } from './explain-photo';
import { ExplainSessions } from './explain-sessions';
import { createLibraryHandlers } from './handlers';
import { createModelHandlers } from './models';
import { resolvePhotoFile, type PhotoBody } from './photo-file';
import { openSession, type OpenMode, type ProjectSession } from './project-session';
import { ThumbnailCache } from './thumbnails';
import { createTrainingHandlers } from './training';
import { WeightsChecker } from './weights-check';
import type { SpawnStrategy } from '../worker/launcher';

export interface AppOptions {
  /** Project file opened at start; created (with its folder) when missing, unless `openMode` is 'open'. */
  projectPath: string;
  /** 'open' refuses a missing file with NOT_FOUND (a mistyped path must not become a new project). */
  openMode?: 'open' | 'open-or-create';
  /** Thumbnails and other derived data live here, keyed by content hash. */
  cacheDir: string;
  transport: 'electron' | 'http' | 'direct';
  /** resources/models: shipped manifests and fetched weights. */
  modelsDir: string;
  /** Per-user weights imported with models:import-weights. */
  userModelsDir: string;
  /** better_sqlite3.node built for Electron's ABI, when running inside Electron. */
  nativeBinding?: string;
  version?: string;
  /** How the training process starts; default: fork under tsx. Electron passes utilityProcess. */
  trainingSpawn?: SpawnStrategy;
  /** Rescan the project's folders in the background when a project opens (default true). The CLI
   *  turns it off: a one-shot command should not race a rescan it never reports. */
  rescanOnOpen?: boolean;
}

export interface App {
  readonly handlers: Handlers;
  readonly events: EventBus;
  /** Validates, runs the handler, and never throws: failures come back as `{ code, message }`. */
  dispatch(channel: unknown, request: unknown): Promise<InvokeEnvelope>;
  /** A file the transports may serve for a photo id; throws AppError NOT_FOUND / FORBIDDEN. */
  photoFile(photoId: number, variant: PhotoVariant): Promise<PhotoBody>;
  readonly project: () => ProjectInfo;
  close(): void;
}

/** The composition root: one App per process, shared by every transport. */
export function createApp(options: AppOptions): App {
  const events = new EventBus();
  const thumbs = new ThumbnailCache(options.cacheDir, options.nativeBinding);
  const sessionDeps = { events, thumbs, nativeBinding: options.nativeBinding };
  let session: ProjectSession = openSession(options.projectPath, options.openMode ?? 'open-or-create', sessionDeps);
  let closed = false;
  const rescanOnOpen = options.rescanOnOpen ?? true;
  if (rescanOnOpen) session.library.rescanInBackground();

  const current = (): ProjectSession => {
    if (closed) throw new AppError('NO_PROJECT', 'The application is shutting down.');
    return session;
  };
  const switchProject = (file: string, mode: OpenMode): ProjectInfo => {
    // Open the new project first: if it is invalid, the current one stays open.
    const next = openSession(file, mode, sessionDeps);
    session.close();
    session = next;
    events.emit('project:changed', next.info);
    if (mode === 'open' && rescanOnOpen) next.library.rescanInBackground();
    return next.info;
  };

  // One checker for both: a weights file checked when it is chosen is known when Train is pressed.
  const weights = new WeightsChecker(options.trainingSpawn);
  const explainSessions = new ExplainSessions(options.trainingSpawn);
  const handlers: Handlers = {
    'app:info': () => ({ version: options.version ?? '0.0.0', transport: options.transport, project: closed ? null : session.info }),
    'project:current': () => (closed ? null : session.info),
    'project:open': (req) => switchProject(req.path, 'open'),
    'project:create': (req) => switchProject(req.path, 'create'),
    ...createLibraryHandlers(current, events),
    ...createModelHandlers({
      modelsDir: options.modelsDir,
      userModelsDir: options.userModelsDir,
      spawn: options.trainingSpawn,
      events,
      weights
    }),
    ...createTrainingHandlers({
      current,
      events,
      modelDirs: { modelsDir: options.modelsDir, userModelsDir: options.userModelsDir },
      spawn: options.trainingSpawn,
      weights,
      exportCacheDir: path.join(options.cacheDir, 'onnx')
    }),
    ...createExplainHandlers(options, { events, current, thumbs, sessions: explainSessions })
  };

  return {
    handlers,
    events,
    dispatch: (channel, request) => dispatch(handlers, channel, request, () => (closed ? null : session)),
    photoFile: (photoId, variant) => resolvePhotoFile(current().db, thumbs, photoId, variant),
    project: () => current().info,
    close() {
      if (closed) return;
      closed = true;
      explainSessions.close();
      session.close();
      // After the session: its imports stop first; an in-flight one then fails its next write.
      void session.library.idle().then(() => thumbs.close());
    }
  };
}

/** What the network sees and Try a photo: compute in the training process, like training. */
function createExplainHandlers(
  options: AppOptions,
  deps: { events: EventBus; current: () => ProjectSession; thumbs: ThumbnailCache; sessions: ExplainSessions }
): Pick<Handlers, 'explain:layers' | 'explain:filters' | 'explain:cancel' | 'explain:photo'> {
  const { events, current, thumbs, sessions } = deps;
  const db = () => current().db;
  const modelDirs = { modelsDir: options.modelsDir, userModelsDir: options.userModelsDir };
  const photoPath = async (photoId: number): Promise<string> => {
    const body = await resolvePhotoFile(db(), thumbs, photoId, 'full');
    if (!('path' in body)) throw new AppError('NOT_FOUND', `Photo ${photoId} has no original file.`);
    return body.path;
  };
  return {
    ...createFilterHandlers({
      db,
      events,
      modelDirs,
      spawn: options.trainingSpawn,
      filterCacheDir: path.join(options.cacheDir, 'filters')
    }),
    ...createExplainPhotoHandler({
      db,
      photoPath,
      uploadDir: path.join(options.cacheDir, 'try-a-photo'),
      allowPaths: options.transport !== 'http',
      sessions
    })
  };
}

async function dispatch(
  handlers: Handlers,
  channel: unknown,
  request: unknown,
  session: () => ProjectSession | null
): Promise<InvokeEnvelope> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'INVALID_REQUEST', message: `Unknown channel ${JSON.stringify(channel)}.` } };
  }
  const parsed = requestSchemas[channel].safeParse(request);
  if (!parsed.success) {
    return { ok: false, error: { code: 'INVALID_REQUEST', message: `Invalid request for ${channel}: ${z.prettifyError(parsed.error)}` } };
  }
  try {
    const handler = handlers[channel] as (req: unknown) => Promise<unknown> | unknown;
    const data = await handler(parsed.data);
    return { ok: true, data } as InvokeEnvelope;
  } catch (err) {
    const open = session();
    return { ok: false, error: toErrorPayload(open ? explainStorageError(err, open.info.path, open.db) : err) };
  }
}

/** In-process transport for the CLI and tests: same validation and envelopes as IPC and HTTP. */
export function createDirectClient(app: App): ApiClient {
  return {
    async invoke<C extends Channel>(channel: C, req?: RequestIn<C>): Promise<Response<C>> {
      const envelope = await app.dispatch(channel, req);
      if (!envelope.ok) throw new AppError(envelope.error.code, envelope.error.message);
      return envelope.data as Response<C>;
    },
    on: (event, listener) => app.events.on(event, listener)
  };
}

/** Where Electron's app.getPath('userData') points for productName "Transfer Studio". */
export function defaultUserDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') {
    return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Transfer Studio');
  }
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Transfer Studio');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Transfer Studio');
}

export function defaultProjectPath(userDataDir: string): string {
  return path.join(userDataDir, 'projects', 'default.tstudio');
}
