/** resources/models/<id>/manifest.json: what to fetch for a backbone, and how to use it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { parseJsonText } from '../../shared/parse-json';

export const manifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  displayName: z.string().min(1),
  /** Id passed to loadBackbone. */
  backbone: z.string().min(1),
  /** File name of the weights, stored beside the manifest (or in the user models folder). */
  file: z.string().min(1),
  /** True when the weights ship with the app (beside the manifest): nothing to fetch or import. */
  bundled: z.boolean().default(false),
  /** Where the weights come from (for a bundled backbone: the origin of its weights). */
  url: z.string().url(),
  md5: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable(),
  /** Bytes, when known. */
  sizeBytes: z.number().int().positive().nullable(),
  licence: z.string(),
  preprocessing: z.enum(['caffe', 'tf', 'tm']),
  featureLayer: z.string(),
  featureDim: z.number().int().positive(),
  /** Default input size, px. */
  inputSize: z.number().int().min(32),
  note: z.string().optional()
});
export type ModelManifest = z.infer<typeof manifestSchema>;

/** Every valid manifest under modelsDir, sorted by id. A broken manifest is an error, not a skip. */
export function readManifests(modelsDir: string): ModelManifest[] {
  if (!existsSync(modelsDir)) return [];
  const out: ModelManifest[] = [];
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    const file = path.join(modelsDir, entry.name, 'manifest.json');
    if (!entry.isDirectory() || !existsSync(file)) continue;
    out.push(parseManifest(file));
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export function parseManifest(file: string): ModelManifest {
  let raw: unknown;
  try {
    raw = parseJsonText(readFileSync(file, 'utf8'), `Model manifest ${file}`);
  } catch (err) {
    throw new AppError('INTERNAL', (err as Error).message);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('INTERNAL', `Model manifest ${file} is invalid: ${parsed.error.message}`);
  return parsed.data;
}

export function findManifest(modelsDir: string, id: string): ModelManifest {
  const manifest = readManifests(modelsDir).find((m) => m.id === id || m.backbone === id);
  if (!manifest) {
    const known = readManifests(modelsDir)
      .map((m) => m.id)
      .join(', ');
    throw new AppError('NOT_FOUND', `Unknown backbone "${id}". Known: ${known || 'none'}.`);
  }
  return manifest;
}

/** Where the weights of a manifest are on disk, preferring the shipped/fetched copy. */
export function locateWeights(manifest: ModelManifest, dirs: { modelsDir: string; userModelsDir: string }): string | null {
  for (const dir of [dirs.modelsDir, dirs.userModelsDir]) {
    const candidate = path.join(dir, manifest.id, manifest.file);
    if (existsSync(candidate)) return path.resolve(candidate);
  }
  return null;
}

/**
 * Where a manifest's weights are downloaded from. TS_MODEL_MIRROR=<base URL> (read here and
 * nowhere else) fetches every file as <base URL>/<file> instead: for machines that reach the
 * internet only through a company mirror, and for tests, which serve a file locally. The
 * manifest's checksum still decides whether the file is accepted.
 */
export function weightsUrl(manifest: ModelManifest, mirror = process.env.TS_MODEL_MIRROR): string {
  if (!mirror) return manifest.url;
  let base: URL;
  try {
    base = new URL(mirror.endsWith('/') ? mirror : `${mirror}/`);
  } catch {
    throw new AppError('INVALID_REQUEST', `TS_MODEL_MIRROR is not a URL: "${mirror}". Set it to an http(s) base URL, or unset it.`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new AppError('INVALID_REQUEST', `TS_MODEL_MIRROR must be an http(s) URL, not "${mirror}".`);
  }
  return new URL(encodeURIComponent(manifest.file), base).href;
}
