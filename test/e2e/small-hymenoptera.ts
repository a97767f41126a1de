/**
 * Small real projects for the e2e tests: a few hymenoptera photos copied into a temp folder
 * (train/val class folders, or a plain inbox), and a model trained on them through the API with
 * the Teachable Machine MobileNetV2 base at a small input size, so a run takes seconds.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import type { RunSummary } from '../../src/shared/dto';
import { invokeApi } from '../helpers/e2e-session';
import { REPO_ROOT, type ServeHandle } from '../helpers/serve';

export const SHARED = resolve(REPO_ROOT, '../shared');
export const HYMENOPTERA = join(SHARED, 'datasets/hymenoptera');
export const TM_BASE = join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');

/** Copies photos `from`..`from + count` (by name) of a hymenoptera split/class folder into `to`. */
export function copyPhotos(split: string, cls: string, from: number, count: number, to: string): void {
  mkdirSync(to, { recursive: true });
  const source = join(HYMENOPTERA, split, cls);
  for (const name of readdirSync(source)
    .sort()
    .slice(from, from + count))
    copyFileSync(join(source, name), join(to, name));
}

/** Trains through the API (small and fast: 96 px) and waits for the run to end (also from a beforeAll). */
export async function trainedRun(serve: ServeHandle, epochs = 10): Promise<RunSummary> {
  const { runId } = await invokeApi<{ runId: number }>(serve, 'training:start', {
    backboneId: 'mobilenet_v2',
    weightsPath: TM_BASE,
    inputSize: 96,
    // The head trained in epochs (Adam), so the run has curves and a saved epoch to show.
    headTraining: 'adam',
    epochs
  });
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const run = (await invokeApi<RunSummary[]>(serve, 'training:runs')).find((r) => r.id === runId);
    if (run && run.status !== 'running') return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`run ${runId} did not finish in 4 minutes`);
}

/** The count a sidebar filter row shows. */
export function sidebarCount(page: Page, filter: string): Promise<string> {
  return page.locator(`[data-testid="filter-item"][data-filter="${filter}"] .count`).innerText();
}

/** The photo count the grid toolbar shows ("37 photos · 2 selected" → 37). */
export async function gridCount(page: Page): Promise<number> {
  return Number((await page.getByTestId('grid-info').innerText()).match(/^([\d,]+)/)?.[1].replace(/,/g, ''));
}
