/**
 * What the network sees and Try a photo (issues 15 and 12), in Chromium against the real serve
 * mode on a small hymenoptera project with a model the app trained: the Explain tab's gallery
 * fills with real filter images of a chosen layer, highest activation first; the preview shows
 * the Grad-CAM overlay on Shift+H for a photo opened from the suggestions, and hides it again;
 * Try a photo takes a file from ../shared that the project never imported and shows the model's
 * classes with confidences and the heatmap, and a photo of several MB is scaled down in the page
 * to fit one request. Screenshots at 1440×900 (and Try a photo at 800×600) go to test-results/.
 */
import { statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult, RunDetail, RunSummary } from '../../src/shared/dto';
import { chromiumAvailable } from '../helpers/browser';
import { invokeApi, RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { copyPhotos, HYMENOPTERA, TM_BASE, trainedRun } from './small-hymenoptera';

/** Natural width of an image once it has loaded (0 while it has not). */
function naturalWidth(page: Page, selector: string): Promise<number> {
  return page.locator(selector).evaluate((img) => ((img as HTMLImageElement).complete ? (img as HTMLImageElement).naturalWidth : 0));
}

describe.skipIf(!chromiumAvailable())('what the network sees and Try a photo, in Chromium (serve mode)', () => {
  const session = useServeSession('explain');
  let run: RunSummary;

  beforeAll(async () => {
    const labeled = join(session.dir, 'labeled');
    for (const cls of ['ants', 'bees']) {
      copyPhotos('train', cls, 0, 10, join(labeled, 'train', cls));
      copyPhotos('val', cls, 0, 4, join(labeled, 'val', cls));
      copyPhotos('val', cls, 20, 3, join(session.dir, 'inbox'));
    }
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: labeled, classesFromFolders: true });
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: join(session.dir, 'inbox') });
    run = await trainedRun(session.serve);
    expect(run.status).toBe('completed');
  }, 300_000);

  it('fills the gallery with filter images of a chosen layer, highest activation first', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(session.serve.url);
    await page.getByTestId('tab-explain').click();
    await page.getByTestId('gallery-layer').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('gallery-backbone').innerText()).resolves.toMatch(
      new RegExp(`^ImageNet weights \\(MobileNetV2 0\\.35\\), as run ${run.id} uses them · 128 px images`)
    );
    await page.getByTestId('gallery-layer').selectOption('block_3_expand');
    await page.getByTestId('gallery-count').fill('8');
    await page.getByTestId('gallery-start').click();
    await page.getByTestId('gallery-cancel').waitFor();
    await expect.poll(() => page.locator('[data-testid="gallery-filter"]').count(), { timeout: 180_000 }).toBe(8);
    await expect
      .poll(() => page.getByTestId('gallery-status').innerText(), { timeout: 30_000 })
      .toMatch(/8 filters, highest activation first/);
    const shown = await page.locator('[data-testid="gallery-filter"]').evaluateAll((els) =>
      els.map((e) => ({
        index: Number(e.getAttribute('data-index')),
        end: Number(e.querySelector('.muted')?.getAttribute('title')?.split(' ').at(-1))
      }))
    );
    expect(shown.map((s) => s.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(shown.map((s) => s.end)).toEqual([...shown.map((s) => s.end)].sort((a, b) => b - a));
    for (let i = 0; i < 8; i++) expect(await naturalWidth(page, `[data-testid="gallery-filter"]:nth-child(${i + 1}) img`)).toBe(128);
    await page.screenshot({ path: join(RESULTS_DIR, 'explain-gallery-1440.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('overlays where the model looks on a suggested photo in the preview with Shift+H, and hides it again', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(session.serve.url);
    await page.locator('[data-testid="filter-item"][data-filter="uncertain"]').click();
    await page.locator('[data-testid="filter-item"][data-filter="uncertain"][aria-current="true"]').waitFor();
    await page.locator('[data-testid="photo-tile"][data-index="0"]').click();
    // Space, not Enter: Enter on a suggestion accepts it.
    await page.keyboard.press('Space');
    await page.getByTestId('preview').waitFor();
    await page.getByTestId('preview-suggestion').waitFor();
    await page.keyboard.press('Shift+H');
    await page.getByTestId('preview-heatmap').waitFor({ timeout: 60_000 });
    await expect.poll(() => naturalWidth(page, '[data-testid="preview-heatmap"] img')).toBe(448);
    await expect(page.getByTestId('preview-heatmap').innerText()).resolves.toMatch(
      new RegExp(`Where run ${run.id} found (ants|bees) \\(\\d+%\\)`)
    );
    await expect(page.getByTestId('preview-heatmap-toggle').getAttribute('aria-pressed')).resolves.toBe('true');
    await page.screenshot({ path: join(RESULTS_DIR, 'explain-preview-overlay-1440.png') });
    await page.keyboard.press('Shift+H');
    await page.getByTestId('preview-heatmap').waitFor({ state: 'detached' });
    await expect(page.getByTestId('preview-heatmap-toggle').getAttribute('aria-pressed')).resolves.toBe('false');
    await page.close();
  }, 120_000);

  it('tries a photo the project never imported: the classes with confidences and the heatmap', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(session.serve.url);
    await page.getByTestId('tab-explain').click();
    const outside = join(HYMENOPTERA, 'val', 'bees', '10870992_eebeeb3a12.jpg');
    await page.getByTestId('try-file').setInputFiles(outside);
    await page.getByTestId('try-classes').waitFor({ timeout: 60_000 });
    const rows = await page.locator('[data-testid="try-classes"] li').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.split('\n')[0].trim()).sort()).toEqual(['ants', 'bees']);
    const percents = rows.map((r) => Number(r.match(/([\d.]+) %/)?.[1]));
    expect(percents[0]).toBeGreaterThanOrEqual(percents[1]);
    expect(percents[0] + percents[1]).toBeCloseTo(100, 0);
    await expect.poll(() => naturalWidth(page, '[data-testid="try-overlay"]')).toBe(448);
    await page.screenshot({ path: join(RESULTS_DIR, 'explain-try-photo-1440.png') });
    // The other class: its own heatmap.
    const before = await page.getByTestId('try-overlay').getAttribute('src');
    const second = page.locator('[data-testid="try-classes"] li').nth(1).locator('button');
    const secondName = (await second.innerText()).trim();
    await second.click();
    await expect.poll(() => second.getAttribute('aria-pressed'), { timeout: 60_000 }).toBe('true');
    await expect(page.getByTestId('try-result').innerText()).resolves.toContain(`Where it found ${secondName}`);
    expect(await page.getByTestId('try-overlay').getAttribute('src')).not.toBe(before);
    // The window's minimum: nothing runs off the side.
    await page.setViewportSize({ width: 800, height: 600 });
    await expect.poll(() => page.getByTestId('explain-view').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await page.screenshot({ path: join(RESULTS_DIR, 'explain-try-photo-800.png') });
    await page.close();
  }, 120_000);

  it('scales a photo too large to send down in the page, then tries it', async () => {
    // 2400×1800 of noise as a high-quality JPEG: several MB, far above what one request may carry.
    const big = join(session.dir, 'big-photo.jpg');
    const noise = Buffer.alloc(2400 * 1800 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    await sharp(noise, { raw: { width: 2400, height: 1800, channels: 3 } })
      .jpeg({ quality: 98 })
      .toFile(big);
    expect(statSync(big).size).toBeGreaterThan(2_000_000);
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(session.serve.url);
    await page.getByTestId('tab-explain').click();
    await page.getByTestId('try-file').setInputFiles(big);
    await page.getByTestId('try-classes').waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-testid="try-classes"] li').count()).resolves.toBe(2);
    await expect(page.getByTestId('try-result').innerText()).resolves.toContain('big-photo.jpg');
    await page.close();
  }, 120_000);

  it("names a fine-tuned run's own network above the gallery and marks the layers fine-tuning changed", async () => {
    const { runId } = await invokeApi<{ runId: number }>(session.serve, 'training:start', {
      backboneId: 'mobilenet_v2',
      weightsPath: TM_BASE,
      inputSize: 96,
      fineTune: true,
      epochs: 3
    });
    await expect
      .poll(async () => (await invokeApi<RunSummary[]>(session.serve, 'training:runs')).find((r) => r.id === runId)?.status, {
        timeout: 240_000,
        interval: 500
      })
      .toBe('completed');
    await invokeApi(session.serve, 'training:set-active', { runId });
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(session.serve.url);
    await page.getByTestId('tab-explain').click();
    await page.getByTestId('gallery-layer').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('gallery-weights').innerText()).resolves.toBe(
      `Run ${runId}’s network (MobileNetV2 0.35), top block refined on your photos`
    );
    await page.getByTestId('gallery-layer').selectOption('block_16_project');
    await expect(page.locator('[data-testid="gallery-layer"] option:checked').innerText()).resolves.toMatch(
      /block_16_project · 112 filters · refined/
    );
    await page.getByTestId('gallery-count').fill('4');
    await page.getByTestId('gallery-start').click();
    await expect.poll(() => page.locator('[data-testid="gallery-filter"]').count(), { timeout: 180_000 }).toBe(4);
    await expect
      .poll(() => page.getByTestId('gallery-status').innerText(), { timeout: 30_000 })
      .toMatch(/4 filters, highest activation first/);
    await page.screenshot({ path: join(RESULTS_DIR, 'explain-gallery-fine-tuned-1440.png') });

    // Its saved model damaged: the pretrained weights, and a plain sentence saying so.
    const { modelPath } = await invokeApi<RunDetail>(session.serve, 'training:run', { runId });
    truncateSync(join(modelPath as string, 'weights.bin'), 100);
    await page.reload();
    await page.getByTestId('tab-explain').click();
    await page.getByTestId('gallery-weights-fallback').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('gallery-weights').innerText()).resolves.toBe('ImageNet weights (MobileNetV2 0.35)');
    await expect(page.getByTestId('gallery-weights-fallback').innerText()).resolves.toMatch(
      new RegExp(`^Run ${runId} refined its top block on your photos, but its saved model could not be read`)
    );
    await page.screenshot({ path: join(RESULTS_DIR, 'explain-gallery-fallback-1440.png') });
    await page.close();
  }, 420_000);
});
