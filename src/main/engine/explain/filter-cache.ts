/**
 * Filter images on disk, so reopening a layer's gallery is instant:
 * `<cacheDir>/<weightsKey>/<layer>/<settingsKey>/<filter>.png` plus `<filter>.json` with its
 * activations. Entries are written to a temporary name and renamed, so a crash never leaves a
 * half-written image that a later read would take as whole.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FilterSettings } from './ascent';
import type { FilterModel } from './filter-model';

/** Bump when the way images are made changes, so old entries stop matching. */
export const FILTER_VERSION = 1;

export interface CachedFilter {
  activationStart: number;
  activationEnd: number;
  png: Uint8Array;
}

export class FilterCache {
  private readonly dir: string;

  constructor(
    cacheDir: string,
    model: Pick<FilterModel, 'id' | 'weightsKey' | 'preprocessing' | 'inputSize'>,
    layer: string,
    settings: FilterSettings
  ) {
    const key = createHash('sha256')
      .update(JSON.stringify({ v: FILTER_VERSION, id: model.id, pre: model.preprocessing, size: model.inputSize, layer, settings }))
      .digest('hex')
      .slice(0, 16);
    this.dir = path.join(cacheDir, safeName(model.weightsKey), safeName(layer), key);
  }

  async get(index: number): Promise<CachedFilter | null> {
    try {
      const meta = JSON.parse(await readFile(this.file(index, 'json'), 'utf8')) as Partial<CachedFilter>;
      if (typeof meta.activationStart !== 'number' || typeof meta.activationEnd !== 'number') return null;
      const png = await readFile(this.file(index, 'png'));
      return { activationStart: meta.activationStart, activationEnd: meta.activationEnd, png: new Uint8Array(png) };
    } catch {
      return null;
    }
  }

  /** The image goes first and the activations last: an entry counts only once its .json exists. */
  async put(index: number, entry: CachedFilter): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeAtomically(this.file(index, 'png'), entry.png);
    await writeAtomically(
      this.file(index, 'json'),
      JSON.stringify({ activationStart: entry.activationStart, activationEnd: entry.activationEnd })
    );
  }

  private file(index: number, ext: 'png' | 'json'): string {
    return path.join(this.dir, `${index}.${ext}`);
  }
}

async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}

/** Layer names are Keras identifiers, but nested ones may hold '/': keep every name one path segment. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}
