/**
 * Exported .onnx files on disk, so a backbone is exported once per weights, input size, cut,
 * preprocessing and output (and exporter version) rather than on every run. Files are written
 * whole or not at all (temporary name, then rename), touched when used, and the least recently
 * used ones go once the folder outgrows its budget (a VGG16 export is 59 MB).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Bump when the exporter's output changes for the same inputs, so old files stop matching. */
export const EXPORTER_VERSION = 2;
const BUDGET_BYTES = 2 * 1024 ** 3;

export interface ExportCacheKey {
  /** Folder the training process was given for derived files (tests: a temp folder). */
  dir: string;
  /** Human part of the file name, e.g. "vgg16-224". */
  label: string;
  /** Everything the exported graph depends on. */
  parts: Record<string, string | number>;
}

export function cacheFileName(key: Omit<ExportCacheKey, 'dir'>): string {
  const text = JSON.stringify({ exporter: EXPORTER_VERSION, ...key.parts });
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${key.label.replace(/[^A-Za-z0-9._-]/g, '_')}-${hash}.onnx`;
}

/** The cached file for `key`, made by `make` first when it is not there yet. */
export async function cachedExport(key: ExportCacheKey, make: () => Uint8Array): Promise<{ file: string; hit: boolean }> {
  const file = path.join(key.dir, cacheFileName(key));
  if (existsSync(file)) {
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return { file, hit: true };
  }
  const bytes = make();
  await mkdir(key.dir, { recursive: true });
  const temp = `${file}.${process.pid}.part`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await pruneCache(key.dir, BUDGET_BYTES, file);
  return { file, hit: false };
}

/** Removes the least recently used .onnx files until the folder fits `budget`; never `keep`. */
export async function pruneCache(dir: string, budget: number, keep: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.onnx'));
  const files = await Promise.all(
    names.map(async (n) => {
      const file = path.join(dir, n);
      const s = await stat(file);
      return { file, size: s.size, used: s.mtimeMs };
    })
  );
  let total = files.reduce((sum, f) => sum + f.size, 0);
  for (const f of files.sort((a, b) => a.used - b.used)) {
    if (total <= budget) return;
    if (f.file === keep) continue;
    await rm(f.file, { force: true });
    total -= f.size;
  }
}
