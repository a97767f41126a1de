/**
 * Real photos for the service tests: small JPEG/PNG files made by sharp, each with distinct
 * content (so hashes differ), in a fresh temp folder per test; and an App over a temp project.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { ApiClient } from '../../../src/shared/contract';
import { createApp, createDirectClient, type App } from '../../../src/main/services/app';
import { localAppOptions } from '../../../src/main/server/app-options';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');

let seed = 1;

/** Writes a JPEG whose pixels depend on a fresh seed, so no two calls give the same bytes. */
export async function writePhoto(
  file: string,
  opts: { width?: number; height?: number; format?: 'jpeg' | 'png'; orientation?: number } = {}
): Promise<Buffer> {
  const width = opts.width ?? 40;
  const height = opts.height ?? 30;
  const s = seed++;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + s * 131) % 251;
  let image = sharp(pixels, { raw: { width, height, channels: 3 } });
  if (opts.orientation) image = image.withMetadata({ orientation: opts.orientation });
  const data = opts.format === 'png' ? await image.png().toBuffer() : await image.jpeg({ quality: 90 }).toBuffer();
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  return data;
}

export interface TestProject {
  dir: string;
  photos: string;
  app: App;
  api: ApiClient;
  cleanup(): void;
}

/** A temp dir holding `photos/` (empty) and an App over `project.tstudio`. */
export function createTestProject(): TestProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tstudio-svc-'));
  const photos = path.join(dir, 'photos');
  mkdirSync(photos);
  const app = createApp(localAppOptions({ project: path.join(dir, 'project.tstudio'), userData: dir, transport: 'direct' }));
  return {
    dir,
    photos,
    app,
    api: createDirectClient(app),
    cleanup() {
      app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Every photo (status ok) of the project, by relative path. */
export async function photosByPath(api: ApiClient): Promise<Map<string, { id: number; classId: number | null }>> {
  const page = await api.invoke('photos:page', { limit: 1000 });
  return new Map(page.items.map((p) => [p.relPath, { id: p.id, classId: p.classId }]));
}
