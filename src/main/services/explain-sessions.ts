/**
 * Grad-CAM answers from a training process that stays up while it is used: one process per
 * run's model, its classifier loaded once. Starting a process and loading the model cost ~2 s;
 * a Grad-CAM ~0.1–0.3 s (MobileNetV2), so browsing the preview with the overlay on, or trying
 * photo after photo, no longer waits for a start each time. A session is let go after a quiet
 * minute (its memory goes back), when the app closes, and when more than MAX_SESSIONS models
 * are in use. If its process fails, the requests it held fail with the reason and the next
 * request starts a new one.
 */
import { AppError } from '../../shared/errors';
import type { SpawnStrategy } from '../worker/launcher';
import type { PhotoExplanationMessage } from '../worker/explain-protocol';
import { WorkerJob, type JobOutcome, type SideMessage } from '../worker/worker-job';

/** A session with nothing to do for this long is let go, ms. */
export const SESSION_IDLE_MS = 60_000;
/** Models kept loaded at once; the least recently used idle one goes first. */
const MAX_SESSIONS = 2;

export interface ExplainAsk {
  path: string;
  renderSize: number;
  className?: string;
}

interface Pending {
  resolve(e: PhotoExplanationMessage): void;
  reject(err: AppError): void;
}

class Session {
  readonly job: WorkerJob<void>;
  readonly pending = new Map<number, Pending>();
  lastUsed = Date.now();
  /** Let go: requests from now on go to a new session. */
  closing = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    modelDir: string,
    spawn: SpawnStrategy | undefined,
    private readonly idleMs: number,
    onGone: () => void
  ) {
    this.job = new WorkerJob<void>({
      name: 'Grad-CAM',
      retry: 'try again',
      request: { type: 'explain-session', modelDir },
      spawn,
      failureCode: 'INTERNAL',
      onResult: (msg) => {
        throw new Error(`the training process answered '${msg.type}' in an explain session`);
      },
      onSideMessage: (msg) => this.onAnswer(msg)
    });
    void this.job.done.then((outcome) => {
      clearTimeout(this.idleTimer);
      onGone();
      this.failPending(outcome);
    });
  }

  ask(id: number, ask: ExplainAsk): Promise<PhotoExplanationMessage> {
    this.lastUsed = Date.now();
    clearTimeout(this.idleTimer);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.job.send({ type: 'explain-next', id, ...ask });
    });
  }

  get idle(): boolean {
    return this.pending.size === 0;
  }

  close(): void {
    this.closing = true;
    this.job.cancel();
  }

  private onAnswer(msg: SideMessage): void {
    if (msg.type !== 'explain-answer' && msg.type !== 'explain-refused') return;
    const waiting = this.pending.get(msg.id);
    if (!waiting) return;
    this.pending.delete(msg.id);
    if (msg.type === 'explain-answer') waiting.resolve(msg.explanation);
    else waiting.reject(new AppError(msg.code, msg.message));
    if (this.idle) this.idleTimer = setTimeout(() => this.close(), this.idleMs);
  }

  private failPending(outcome: JobOutcome<void>): void {
    const err =
      outcome.status === 'failed'
        ? new AppError(outcome.code, outcome.message)
        : new AppError('CANCELLED', 'The Grad-CAM was stopped because the app is closing or the model was let go; try again.');
    for (const waiting of this.pending.values()) waiting.reject(err);
    this.pending.clear();
  }
}

export class ExplainSessions {
  private readonly sessions = new Map<string, Session>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly spawn?: SpawnStrategy,
    private readonly idleMs = SESSION_IDLE_MS
  ) {}

  /**
   * Top classes and Grad-CAM of one image with the model in `modelDir`. `version` tells apart two
   * models that were in the same folder (a run id reused after the latest run was deleted).
   */
  explain(modelDir: string, ask: ExplainAsk, version = ''): Promise<PhotoExplanationMessage> {
    if (this.closed) return Promise.reject(new AppError('NO_PROJECT', 'The application is shutting down.'));
    return this.sessionFor(modelDir, `${modelDir}\n${version}`).ask(this.nextId++, ask);
  }

  /** Process ids of the live sessions (for tests and diagnostics). */
  pids(): number[] {
    return [...this.sessions.values()].flatMap((s) => (s.job.pid === undefined ? [] : [s.job.pid]));
  }

  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) session.close();
  }

  private sessionFor(modelDir: string, key: string): Session {
    const known = this.sessions.get(key);
    if (known && !known.closing) return known;
    this.letGoOfOldest();
    const session: Session = new Session(modelDir, this.spawn, this.idleMs, () => {
      if (this.sessions.get(key) === session) this.sessions.delete(key);
    });
    this.sessions.set(key, session);
    return session;
  }

  private letGoOfOldest(): void {
    if (this.sessions.size < MAX_SESSIONS) return;
    const idle = [...this.sessions.entries()].filter(([, s]) => s.idle).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const oldest = idle[0];
    if (!oldest) return;
    this.sessions.delete(oldest[0]);
    oldest[1].close();
  }
}
