/**
 * The model folder's names on disk, without TensorFlow.js: the main side (which never loads
 * tfjs) uses these to find and remove what an unfinished save left behind.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Marks the sibling folders a save writes into before they are renamed into place (see partialModelFolderRunId). */
export const PARTIAL_MARK = '.partial-';

/**
 * The run id of a temporary folder a save writes into (`.run-<id>.partial-XXXXXX`, or its
 * `…-old` aside), or null for any other name.
 */
export function partialModelFolderRunId(name: string): number | null {
  const match = /^\.run-(\d+)\.partial-/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Removes a model folder and any temporary siblings a save left behind (a process killed
 * mid-save), for a run that did not complete: nothing of it may stay on disk.
 */
export function discardModelFolder(dir: string): void {
  const parent = path.dirname(dir);
  const prefix = `.${path.basename(dir)}${PARTIAL_MARK}`;
  rmSync(dir, { recursive: true, force: true });
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (name.startsWith(prefix)) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}
