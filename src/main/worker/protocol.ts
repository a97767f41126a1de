/**
 * The messages between the main side and the training process, as zod schemas; the TypeScript
 * types are derived from them. Messages travel with structured-clone ("advanced")
 * serialization, so Float32Arrays cross without JSON (and are checked by type and length only).
 *
 * main → worker: a job (start | predict | probe | validate-weights | identify-weights |
 *   explain-layers | explain-filters | explain-session), then cached-features (answer to
 *   need-features), explain-next (a request to a session) and cancel
 * worker → main: loaded | need-features | features | progress | filter-image | filter-progress |
 *   explain-answer | explain-refused, then one outcome: result | predicted | probed | validated |
 *   identified | layers | filters-done | cancelled | error (the explain messages are in
 *   explain-protocol.ts)
 *
 * One process runs one job: a training run, a re-predict, the backend probe behind
 * engine:status, loading a weights file to check it before models:import-weights copies it,
 * telling which network a weights file is for (models:check-weights, and before a run starts),
 * or an explain session (one classifier loaded once, many Grad-CAMs, until it is let go).
 *
 * The worker never opens the project: it asks for cached features once the backbone (and so
 * the cache key) is known, and sends newly computed features back for the main side to store.
 *
 * Every message is parsed on arrival (launcher.ts on the main side, entry.ts in the worker). An
 * invalid message from the worker fails the run; an invalid one to the worker makes it answer
 * with an error and exit.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../../shared/errors';
import {
  backendChoiceSchema,
  backendInfoSchema,
  featureEntriesSchema,
  labeledItemSchema,
  predictionOutSchema,
  trainingJobConfigSchema,
  trainingJobResultSchema,
  trainingProgressDataSchema,
  unlabeledItemSchema
} from '../engine/trainer/job-types';
import { explainJobSchemas, explainNextSchema, explainReplySchemas } from './explain-protocol';

export type {
  FeatureEntry,
  LabeledItem,
  PredictionOut,
  TrainingJobConfig,
  TrainingJobResult,
  UnlabeledItem
} from '../engine/trainer/job-types';

export const mainToWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    config: trainingJobConfigSchema,
    items: z.array(labeledItemSchema),
    unlabeled: z.array(unlabeledItemSchema)
  }),
  z.object({
    type: z.literal('predict'),
    modelDir: z.string(),
    items: z.array(unlabeledItemSchema),
    backend: backendChoiceSchema,
    exportCacheDir: z.string().optional()
  }),
  z.object({ type: z.literal('probe'), backend: backendChoiceSchema }),
  /** Loads the weights into the backbone at `inputSize` px (strict shape checks), then lets go of them. */
  z.object({ type: z.literal('validate-weights'), backboneId: z.string(), weightsPath: z.string(), inputSize: z.number().int().min(32) }),
  /** Which network the weights are for, from layer names and shapes only (nothing is decoded). */
  z.object({ type: z.literal('identify-weights'), weightsPath: z.string() }),
  z.object({ type: z.literal('cached-features'), entries: featureEntriesSchema }),
  z.object({ type: z.literal('cancel') }),
  explainNextSchema,
  ...explainJobSchemas
]);
export type MainToWorker = z.infer<typeof mainToWorkerSchema>;
/** The message that starts a process's one job. */
export type WorkerJobRequest = Exclude<MainToWorker, { type: 'cached-features' | 'cancel' | 'explain-next' }>;

export const workerToMainSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('loaded'), backend: z.string(), backendLabel: z.string() }),
  z.object({ type: z.literal('need-features'), extractor: z.string(), hashes: z.array(z.string()) }),
  z.object({ type: z.literal('features'), extractor: z.string(), entries: featureEntriesSchema }),
  z.object({ type: z.literal('progress'), progress: trainingProgressDataSchema }),
  z.object({ type: z.literal('result'), result: trainingJobResultSchema }),
  z.object({ type: z.literal('predicted'), predictions: z.array(predictionOutSchema), classes: z.array(z.string()) }),
  z.object({ type: z.literal('probed'), info: backendInfoSchema }),
  z.object({ type: z.literal('validated') }),
  z.object({ type: z.literal('identified'), backboneId: z.string(), network: z.string() }),
  z.object({ type: z.literal('cancelled') }),
  z.object({ type: z.literal('error'), code: z.enum(ERROR_CODES), message: z.string() }),
  ...explainReplySchemas
]);
export type WorkerToMain = z.infer<typeof workerToMainSchema>;

export type Parsed<T> = { ok: true; msg: T } | { ok: false; problem: string };

/** A short, one-line account of what is wrong with a message, for a run's failure reason. */
function describe(value: unknown, error: z.ZodError): string {
  const type = typeof value === 'object' && value !== null && 'type' in value ? String((value as { type: unknown }).type) : null;
  const issues = error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `${type === null ? 'message without a type' : `'${type}'`}: ${issues}${more}`.slice(0, 500);
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, msg: result.data } : { ok: false, problem: describe(value, result.error) };
}

export function parseMainToWorker(value: unknown): Parsed<MainToWorker> {
  return parseWith(mainToWorkerSchema, value);
}

export function parseWorkerToMain(value: unknown): Parsed<WorkerToMain> {
  return parseWith(workerToMainSchema, value);
}
