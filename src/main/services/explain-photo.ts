/**
 * 'explain:photo': the active (or given) run's top classes and Grad-CAM for one image, in the
 * training process. The image is a project photo (the preview's overlay), a file (the CLI), or
 * bytes the renderer read from a dropped, pasted or picked file (Try a photo; written to a
 * temporary file for the process and removed after). Answers for project photos are kept for a
 * while, so toggling the overlay back and forth costs one Grad-CAM; the process stays up with the
 * model loaded while it is used (explain-sessions.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Handlers, Request } from '../../shared/contract';
import type { PhotoExplanationDto } from '../../shared/explain-dto';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { activeRunId, getRun } from '../db/training-repository';
import type { PhotoExplanationMessage } from '../worker/explain-protocol';
import type { ExplainSessions } from './explain-sessions';
import { pngDataUrl } from './explain-filters';
import { requireModel } from './training-export';

/** Side of the overlay, px. */
export const OVERLAY_SIZE = 448;
const KEPT_ANSWERS = 64;

export interface ExplainPhotoContext {
  db(): Database;
  /** The original file of a project photo (only inside the project's folders). */
  photoPath(photoId: number): Promise<string>;
  /** Where uploaded images wait for the process. */
  uploadDir: string;
  /** Over HTTP a path would let a page read any image on the disk: it must send the bytes. */
  allowPaths: boolean;
  /** Training processes that keep a run's model loaded between requests. */
  sessions: ExplainSessions;
}

export function createExplainPhotoHandler(ctx: ExplainPhotoContext): Pick<Handlers, 'explain:photo'> {
  // Per open project: run and photo ids mean nothing across projects.
  const keptByProject = new WeakMap<Database, Map<string, PhotoExplanationDto>>();
  return {
    'explain:photo': async (req) => {
      if (req.path !== undefined && !ctx.allowPaths) throw new AppError('FORBIDDEN', 'Here the image itself must be sent, not a path.');
      const db = ctx.db();
      let kept = keptByProject.get(db);
      if (!kept) keptByProject.set(db, (kept = new Map()));
      const runId = req.runId ?? activeRunId(db);
      if (runId === null) throw new AppError('NOT_FOUND', 'No trained model yet: train one first.');
      const run = getRun(db, runId);
      if (!run) throw new AppError('NOT_FOUND', `Run ${runId} does not exist.`);
      const modelDir = requireModel(run);
      if (req.className !== undefined && !run.classes.some((c) => c.name === req.className))
        throw new AppError(
          'INVALID_REQUEST',
          `Run ${runId} has no class "${req.className}". Its classes: ${run.classes.map((c) => c.name).join(', ')}.`
        );
      const key = req.photoId === undefined ? null : `${runId}:${req.photoId}:${run.finishedAt ?? ''}:${req.className ?? ''}`;
      const known = key === null ? undefined : kept.get(key);
      if (known) return known;
      const version = String(run.finishedAt ?? '');
      const answer = await withImageFile(ctx, req, (file) =>
        explainFile(ctx, { runId, modelDir, version, file, className: req.className })
      );
      if (key !== null) remember(kept, key, answer);
      return answer;
    }
  };
}

async function explainFile(
  ctx: ExplainPhotoContext,
  job: { runId: number; modelDir: string; version: string; file: string; className?: string }
): Promise<PhotoExplanationDto> {
  const { runId, modelDir, version, file, className } = job;
  return toDto(runId, await ctx.sessions.explain(modelDir, { path: file, renderSize: OVERLAY_SIZE, className }, version));
}

export function toDto(runId: number, e: PhotoExplanationMessage): PhotoExplanationDto {
  const top = e.labels.map((className, i) => ({ className, confidence: e.probs[i] ?? 0 })).sort((a, b) => b.confidence - a.confidence);
  return {
    runId,
    top,
    className: e.labels[e.classIndex],
    cam: e.cam,
    camLayer: e.camLayer,
    overlay: pngDataUrl(e.png),
    renderSize: e.renderSize
  };
}

/** Runs `work` on a file holding the requested image; an uploaded one is removed afterwards. */
async function withImageFile<T>(ctx: ExplainPhotoContext, req: Request<'explain:photo'>, work: (file: string) => Promise<T>): Promise<T> {
  if (req.photoId !== undefined) return work(await ctx.photoPath(req.photoId));
  if (req.path !== undefined) {
    const file = path.resolve(req.path);
    if (!existsSync(file) || !statSync(file).isFile()) throw new AppError('NOT_FOUND', `No such image file: ${file}`);
    return work(file);
  }
  const image = req.image as NonNullable<Request<'explain:photo'>['image']>;
  const bytes = Buffer.from(image.base64, 'base64');
  if (bytes.length === 0) throw new AppError('INVALID_REQUEST', `${image.name || 'The image'} is empty.`);
  await mkdir(ctx.uploadDir, { recursive: true });
  const file = path.join(ctx.uploadDir, `${randomUUID()}${safeExtension(image.name)}`);
  await writeFile(file, bytes);
  try {
    return await work(file);
  } catch (err) {
    // The temporary name means nothing to the person: name the image they gave.
    if (err instanceof AppError) throw new AppError(err.code, err.message.replaceAll(file, image.name || 'the image'));
    throw err;
  } finally {
    await rm(file, { force: true });
  }
}

function safeExtension(name: string): string {
  const ext = path.extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '';
}

function remember(kept: Map<string, PhotoExplanationDto>, key: string, answer: PhotoExplanationDto): void {
  kept.set(key, answer);
  if (kept.size > KEPT_ANSWERS) kept.delete(kept.keys().next().value as string);
}
