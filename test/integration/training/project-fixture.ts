/**
 * A real project for the training tests: synthetic photos (train/val folders per class, plus
 * unlabeled ones) imported through the library service into a temp SQLite file, and the
 * training handlers over it with a spawn strategy that remembers each training process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { EventMap, EventName } from '../../../src/shared/contract';
import { EventBus } from '../../../src/main/services/event-bus';
import { openSession, type ProjectSession } from '../../../src/main/services/project-session';
import { ThumbnailCache } from '../../../src/main/services/thumbnails';
import { createTrainingHandlers, type TrainingChannel } from '../../../src/main/services/training';
import { forkStrategy, type WorkerPort } from '../../../src/main/worker/launcher';
import { checkedHandlers, type CheckedHandlers } from '../../helpers/checked-handlers';
import { drawSyntheticPhotos, drawUnlabeledPhotos } from './synthetic-photos';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');
export const TM_BASE = path.join(SHARED_DIR, 'models/mobilenet-v2-0.35-224-tm-base');

export interface TrainingProject {
  dir: string;
  session: ProjectSession;
  events: EventBus;
  /** Requests are checked (defaults filled in) as a transport would. */
  handlers: CheckedHandlers<TrainingChannel>;
  /** Every training process started, in order. */
  workers: WorkerPort[];
  /** Collects one event's payloads from now on. */
  record<E extends EventName>(event: E): EventMap[E][];
  cleanup(): void;
}

export async function createTrainingProject(
  opts: { perClass?: number; valPerClass?: number; unlabeled?: number } = {}
): Promise<TrainingProject> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-training-'));
  const shapes = await drawSyntheticPhotos(path.join(dir, 'shapes'), { perClass: opts.perClass ?? 10, valPerClass: opts.valPerClass ?? 5 });
  const unlabeled = await drawUnlabeledPhotos(path.join(dir, 'unlabeled'), opts.unlabeled ?? 6);
  const events = new EventBus();
  const session = openSession(path.join(dir, 'project.tstudio'), 'create', { events, thumbs: new ThumbnailCache(path.join(dir, 'cache')) });
  await session.library.addFolder(shapes, true);
  await session.library.addFolder(unlabeled, false);
  const workers: WorkerPort[] = [];
  const fork = forkStrategy();
  const handlers = checkedHandlers(
    createTrainingHandlers({
      current: () => session,
      events,
      modelDirs: { modelsDir: path.join(REPO_ROOT, 'resources/models'), userModelsDir: path.join(dir, 'models') },
      spawn: () => {
        const port = fork();
        workers.push(port);
        return port;
      }
    })
  );
  return {
    dir,
    session,
    events,
    handlers,
    workers,
    record(event) {
      const out: EventMap[typeof event][] = [];
      events.on(event, (p) => out.push(p));
      return out;
    },
    cleanup() {
      for (const w of workers) w.kill('SIGKILL');
      session.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Resolves with the run's training:finished payload. */
export function finishedRun(events: EventBus, runId: number): Promise<EventMap['training:finished']> {
  return new Promise((resolve) => {
    const off = events.on('training:finished', (f) => {
      if (f.runId === runId) {
        off();
        resolve(f);
      }
    });
  });
}

/** Resolves with the next 'predictions:finished' (subscribe before starting what it ends). */
export function nextPredictionEnd(events: EventBus): Promise<EventMap['predictions:finished']> {
  return new Promise((resolve) => {
    const off = events.on('predictions:finished', (f) => {
      off();
      resolve(f);
    });
  });
}

/** Starts a re-predict, which answers at once with its run id, and resolves with how it ended. */
export async function predictToEnd(p: TrainingProject, runId?: number): Promise<EventMap['predictions:finished']> {
  const ended = nextPredictionEnd(p.events);
  const answer = await p.handlers['training:predict']({ runId });
  const finished = await ended;
  expect(finished.runId).toBe(answer.runId);
  return finished;
}
