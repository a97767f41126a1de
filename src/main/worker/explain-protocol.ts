/**
 * The explain jobs' messages (filter images, conv layers, Grad-CAM of one photo), as zod
 * schemas joined into protocol.ts's unions. Zod only: the main side parses these without
 * loading the engine.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../../shared/errors';

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.length > 0, { message: 'expected non-empty bytes' });
const backbone = {
  backboneId: z.string(),
  weightsPath: z.string(),
  inputSize: z.number().int().min(32),
  /** A fine-tuned run's model folder: its conv base's weights replace the pretrained ones. */
  runModelDir: z.string().optional()
};

export const explainJobSchemas = [
  z.object({ type: z.literal('explain-layers'), ...backbone }),
  z.object({
    type: z.literal('explain-filters'),
    ...backbone,
    layer: z.string(),
    filters: z.array(z.number().int().min(0)).min(1),
    steps: z.number().int().min(1).optional(),
    /** Folder of the filter-image disk cache. */
    cacheDir: z.string().optional()
  }),
  /** Loads a run's classifier once, then answers explain-next messages until cancelled. */
  z.object({ type: z.literal('explain-session'), modelDir: z.string() })
] as const;

/** main → worker, during an explain session: Grad-CAM and top classes of one image. */
export const explainNextSchema = z.object({
  type: z.literal('explain-next'),
  id: z.number().int().min(0),
  path: z.string(),
  renderSize: z.number().int().min(8),
  /** Class the map explains; default the predicted one. */
  className: z.string().optional()
});
export type ExplainNextMessage = z.infer<typeof explainNextSchema>;

const convLayerSchema = z.object({
  name: z.string(),
  className: z.string(),
  filters: z.number().int().min(0),
  height: z.number().nullable(),
  width: z.number().nullable()
});

export const filterImageSchema = z.object({
  layer: z.string(),
  index: z.number().int().min(0),
  activationStart: z.number(),
  activationEnd: z.number(),
  png: bytes,
  size: z.number().int().min(1),
  cached: z.boolean()
});
export type FilterImageMessage = z.infer<typeof filterImageSchema>;

export const photoExplanationSchema = z.object({
  labels: z.array(z.string()),
  probs: z.array(z.number()),
  classIndex: z.number().int().min(0),
  cam: z.array(z.array(z.number().min(0))),
  camLayer: z.string(),
  png: bytes,
  renderSize: z.number().int().min(1)
});
export type PhotoExplanationMessage = z.infer<typeof photoExplanationSchema>;

/** worker → main: side messages of a filter job or an explain session, and the results of the other jobs. */
export const explainReplySchemas = [
  z.object({ type: z.literal('filter-image'), image: filterImageSchema }),
  z.object({
    type: z.literal('filter-progress'),
    progress: z.object({ done: z.number(), total: z.number(), filtersDone: z.number(), filtersTotal: z.number() })
  }),
  z.object({
    type: z.literal('layers'),
    backboneId: z.string(),
    /** The name people know it by, e.g. 'MobileNetV2 0.35'. */
    network: z.string(),
    inputSize: z.number().int(),
    layers: z.array(convLayerSchema),
    /** Whose weights: see FilterWeightsSource. */
    weights: z.object({ kind: z.enum(['run', 'pretrained']), fallback: z.string().nullable(), refinedLayers: z.array(z.string()) })
  }),
  z.object({ type: z.literal('filters-done'), filters: z.number().int().min(0) }),
  /** Side messages of an explain session: one answer per explain-next, by its id. */
  z.object({ type: z.literal('explain-answer'), id: z.number().int().min(0), explanation: photoExplanationSchema }),
  z.object({ type: z.literal('explain-refused'), id: z.number().int().min(0), code: z.enum(ERROR_CODES), message: z.string() })
] as const;
