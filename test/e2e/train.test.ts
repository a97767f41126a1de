/**
 * Train and review in Chromium against the real serve mode: hymenoptera imported with folder
 * classes, ten labels cleared so there are photos to suggest for, the Teachable Machine
 * MobileNetV2 export chosen in the Advanced fold (checked at once: the message names the
 * network), 224 px and no fine-tuning, Train clicked; the run finishes and says what it chose;
 * a confusion-matrix cell opens exactly its photos; a suggestion is accepted with Enter; after a
 * reload the run and the accepted label are still there.
 */
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ClassDto, LabelChangeResult, PhotoDto, PhotoPage, RunDetail } from '../../src/shared/dto';
import { chromiumAvailable } from '../helpers/browser';
import { invokeApi, RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { REPO_ROOT } from '../helpers/serve';

const SHARED = resolve(REPO_ROOT, '../shared');
const HYMENOPTERA = join(SHARED, 'datasets/hymenoptera');
const TM_BASE = join(SHARED, 'models/mobilenet-v2-0.35-224-tm-base');
const RESULTS = RESULTS_DIR;

async function tileIds(page: Page): Promise<number[]> {
  const ids = await page
    .locator('[data-testid="photo-tile"]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-photo-id'))));
  return ids.sort((a, b) => a - b);
}

async function importHymenoptera(page: Page): Promise<void> {
  await page.getByTestId('add-folder').click();
  await page.getByTestId('add-folder-path').fill(HYMENOPTERA);
  await page.getByTestId('classes-from-folders').check();
  await page.getByTestId('add-folder-submit').click();
  await expect.poll(() => page.getByTestId('status-counts').innerText(), { timeout: 120_000 }).toMatch(/398\s+labeled/);
  await page.getByTestId('import-progress').waitFor({ state: 'detached', timeout: 120_000 });
}

describe.skipIf(!chromiumAvailable())('train and review in Chromium (serve mode)', () => {
  const session = useServeSession('train');

  it('trains from the UI, opens a confusion cell, accepts a suggestion and keeps it all after a reload', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1440, height: 960 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(session.serve.url);
    await importHymenoptera(page);

    // Ten training photos lose their label: they are what the model will suggest for.
    const cleared = await invokeApi<PhotoPage>(session.serve, 'photos:page', {
      filter: { kind: 'split', split: 'train' },
      sort: 'name',
      offset: 0,
      limit: 10
    });
    await invokeApi<LabelChangeResult>(session.serve, 'labels:assign', { photoIds: cleared.items.map((p) => p.id), classId: null });
    await expect.poll(() => page.getByTestId('status-counts').innerText()).toMatch(/388\s+labeled\s+10\s+unlabeled/);

    await page.getByTestId('tab-train').click();
    await expect.poll(() => page.locator('[data-testid="train-plan-row"]').count()).toBe(2);
    await expect.poll(() => page.getByTestId('train-plan').innerText()).toMatch(/Total\s+235\s+153/);
    await expect(page.getByTestId('engine-label').innerText()).resolves.toMatch(/CPU · WebAssembly/);
    await page.locator('[data-testid="train-advanced"] summary').click();
    await page.getByTestId('train-weights-path').fill(TM_BASE);
    await page.getByTestId('train-weights-path').press('Enter');
    await expect.poll(() => page.getByTestId('weights-check').innerText()).toMatch(/MobileNetV2 \(width 0\.35\) weights/);
    await page.getByTestId('train-input-size').fill('224');
    await page.getByTestId('train-input-size').dispatchEvent('change');
    await page.getByTestId('train-fine-tune').selectOption('off');
    // Every field in view, the fine-tuning choice included (it has a row of its own).
    await page.getByTestId('train-seed').scrollIntoViewIfNeeded();
    await expect(page.getByTestId('train-fine-tune').evaluate((el) => el.scrollWidth <= el.clientWidth)).resolves.toBe(true);
    await page.screenshot({ path: join(RESULTS, 'train-advanced.png') });
    await page.getByTestId('train-start').click();

    await page.getByTestId('training-progress').waitFor();
    await expect.poll(() => page.getByTestId('training-progress').getAttribute('data-phase'), { timeout: 120_000 }).toBe('features');
    await expect
      .poll(
        async () =>
          Number(
            await page
              .getByTestId('training-rate')
              .innerText()
              .then((t) => parseFloat(t) || 0)
          ),
        { timeout: 60_000 }
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(RESULTS, 'train-features.png') });
    await expect.poll(() => page.getByTestId('training-progress').getAttribute('data-phase'), { timeout: 600_000 }).toBe('completed');
    await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor({ timeout: 30_000 });
    const accuracy = parseFloat(await page.getByTestId('run-accuracy').innerText());
    expect(accuracy).toBeGreaterThan(85);
    // The head is fitted in one go (no epochs to draw); the run says what it chose instead.
    expect(await page.getByTestId('choice-input-size').innerText()).toBe('224 px: chosen by you');
    expect(await page.getByTestId('choice-head').innerText()).toMatch(/^logistic regression, C = .* 5-fold CV accuracy 0\.\d{3}/);
    expect(await page.getByTestId('choice-fine-tune').innerText()).toBe('off: asked for (Never)');
    await page.screenshot({ path: join(RESULTS, 'train-after.png'), fullPage: true });

    // A confusion cell opens exactly its validation photos.
    const runs = await invokeApi<{ id: number }[]>(session.serve, 'training:runs');
    const run = await invokeApi<RunDetail>(session.serve, 'training:run', { runId: runs[0].id });
    const cells = page.locator('[data-testid="confusion-cell"]');
    expect(await cells.count()).toBe(4);
    const wrongCell = page.locator('[data-testid="confusion-cell"][data-true="ants"][data-predicted="bees"]');
    const cell =
      Number(await wrongCell.getAttribute('data-count')) > 0
        ? wrongCell
        : page.locator('[data-testid="confusion-cell"][data-true="ants"][data-predicted="ants"]');
    const [trueClass, predictedClass] = [await cell.getAttribute('data-true'), await cell.getAttribute('data-predicted')];
    const expected = run.mistakes
      .filter((m) => m.trueClass === trueClass && m.predictedClass === predictedClass)
      .map((m) => m.photoId)
      .sort((a, b) => a - b);
    await cell.click();
    await page.getByTestId('photo-grid').waitFor();
    await expect.poll(() => page.getByTestId('filter-context-title').innerText()).toBe(`True ${trueClass}, predicted ${predictedClass}`);
    await expect.poll(() => page.getByTestId('grid-info').innerText()).toMatch(new RegExp(`^${expected.length} photos?`));
    if (expected.length <= 12) await expect.poll(() => tileIds(page)).toEqual(expected);
    await page.screenshot({ path: join(RESULTS, 'train-confusion-cell.png') });

    // Suggestions: least certain first; Enter accepts the focused one.
    await page.locator('[data-testid="filter-item"][data-filter="uncertain"]').click();
    await expect.poll(() => page.getByTestId('grid-info').innerText()).toMatch(/^10 photos/);
    const first = page.locator('[data-testid="photo-tile"][data-index="0"]');
    await expect.poll(() => first.getAttribute('data-suggested')).toMatch(/^(ants|bees)$/);
    const acceptedId = Number(await first.getAttribute('data-photo-id'));
    const suggestedName = (await first.getAttribute('data-suggested')) ?? '';
    await page.screenshot({ path: join(RESULTS, 'train-suggestions.png') });
    await first.click();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('grid-info').innerText()).toMatch(/^9 photos/);
    const classes = await invokeApi<ClassDto[]>(session.serve, 'classes:list');
    const suggestedId = classes.find((c) => c.name === suggestedName)?.id;
    expect(await invokeApi<PhotoDto>(session.serve, 'photos:get', { id: acceptedId })).toMatchObject({
      classId: suggestedId,
      labelSource: 'model'
    });

    // After a reload: the run in Runs, the accepted label on its tile.
    await page.reload();
    await page.getByTestId('tab-runs').click();
    await page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`).waitFor();
    await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor();
    expect(await page.getByTestId('run-accuracy').innerText()).toMatch(/%$/);
    await page.screenshot({ path: join(RESULTS, 'train-runs.png') });
    await page.getByTestId('tab-library').click();
    const photo = await invokeApi<PhotoDto>(session.serve, 'photos:get', { id: acceptedId });
    await page.getByTestId('search').fill(photo.name);
    await expect
      .poll(() => page.locator(`[data-testid="photo-tile"][data-photo-id="${acceptedId}"]`).getAttribute('data-label'), { timeout: 15_000 })
      .toBe(suggestedName);
    expect(errors).toEqual([]);
  });
});
