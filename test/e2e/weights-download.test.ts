/**
 * Train › Advanced › "Download VGG16" in Chromium against the real serve mode, with a local HTTP
 * server standing in for Keras's host: `--models-dir` gives serve a VGG16 manifest whose checksum
 * is that of a VGG16-shaped .h5 with random weights (the real manifest's URL is kept), and
 * TS_MODEL_MIRROR sends the download to the local server instead. A file with the wrong checksum
 * is refused and nothing is kept; a transfer cut off midway shows its progress, says it resumes,
 * and does (a Range request for the rest); then VGG16 is ready, the automatic choice, and a run
 * trains on it.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../helpers/browser';
import type { ImportResult, RunSummary } from '../../src/shared/dto';
import { invokeApi, RESULTS_DIR, useServeSession } from '../helpers/e2e-session';
import { REPO_ROOT } from '../helpers/serve';
import { randomVggWeights, writeVggH5 } from '../unit/engine/fixtures';
import { copyPhotos } from './small-hymenoptera';

const VGG16_FILE = 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5';
const CHUNK = 1 << 20;

const dir = mkdtempSync(join(tmpdir(), 'tstudio-e2e-download-'));
const modelsDir = join(dir, 'models');
const userData = join(dir, 'user-data');
const downloaded = join(userData, 'models', 'vgg16', VGG16_FILE);

/** The local weights host: what it answers next, and what it was asked. */
const host = {
  server: null as Server | null,
  weights: Buffer.alloc(0),
  mode: 'corrupt' as 'corrupt' | 'cut' | 'whole',
  /** Range header of each request for the file (null: none). */
  requests: [] as (string | null)[],
  /** Bytes the cut-off transfer wrote before it was cut. */
  cutAt: 0,
  /** Resolves the hold in the middle of the cut-off transfer. */
  release: () => {},
  mirror: ''
};

/** Sends `body` in 1 MB chunks 20 ms apart (so progress has time to show), then `after`. */
function pace(res: ServerResponse, body: Buffer, after: () => void): void {
  let sent = 0;
  const next = (): void => {
    if (sent >= body.length || res.destroyed) return after();
    res.write(body.subarray(sent, sent + CHUNK));
    sent += CHUNK;
    setTimeout(next, 20);
  };
  next();
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  if (req.url !== `/keras-mirror/${VGG16_FILE}`) return void res.writeHead(404).end();
  const range = req.headers.range ?? null;
  host.requests.push(range);
  const start = range === null ? 0 : Number(/^bytes=(\d+)-$/.exec(range)?.[1]);
  let body = host.weights.subarray(start);
  if (host.mode === 'corrupt') {
    body = Buffer.from(body);
    body[body.length >> 1] ^= 0xff; // same size, one byte off: only the checksum can tell
  }
  const headers: Record<string, string> = { 'Content-Length': String(body.length), 'Accept-Ranges': 'bytes' };
  if (range !== null) headers['Content-Range'] = `bytes ${start}-${host.weights.length - 1}/${host.weights.length}`;
  res.writeHead(range === null ? 200 : 206, headers);
  if (host.mode !== 'cut') return pace(res, body, () => res.end());
  // Half the file, a hold (the test looks at the progress), then the connection is lost.
  host.cutAt = Math.ceil(body.length / 2 / CHUNK) * CHUNK;
  const hold = new Promise<void>((resolve) => (host.release = resolve));
  pace(res, body.subarray(0, host.cutAt), () => void hold.then(() => res.socket?.destroy()));
}

async function startHost(): Promise<void> {
  const file = join(dir, 'random-vgg16.h5');
  await writeVggH5(file, randomVggWeights('vgg16', 7), { naming: 'new' });
  host.weights = readFileSync(file);
  // The shipped manifest with this file's checksum and size; its URL stays Keras's.
  cpSync(join(REPO_ROOT, 'resources/models/mobilenet_v2_035'), join(modelsDir, 'mobilenet_v2_035'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'resources/models/vgg16/manifest.json'), 'utf8')) as Record<string, unknown>;
  mkdirSync(join(modelsDir, 'vgg16'), { recursive: true });
  writeFileSync(
    join(modelsDir, 'vgg16', 'manifest.json'),
    JSON.stringify({ ...manifest, md5: md5(host.weights), sizeBytes: host.weights.length })
  );
  host.server = createServer(answer);
  await new Promise<void>((resolve) => host.server!.listen(0, '127.0.0.1', resolve));
  host.mirror = `http://127.0.0.1:${(host.server.address() as { port: number }).port}/keras-mirror`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** The files in the user's VGG16 weights folder (none before the first download). */
function userVggFiles(): string[] {
  const folder = join(userData, 'models', 'vgg16');
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

function progressValue(page: Page): Promise<number> {
  return page.getByTestId('weights-download-progress').evaluate((el) => (el as HTMLProgressElement).value);
}

describe.skipIf(!chromiumAvailable())('downloading VGG16 weights from the Train view (serve mode)', () => {
  beforeAll(startHost, 120_000);
  const session = useServeSession('download', () => ({
    extraArgs: ['--models-dir', modelsDir, '--user-data', userData],
    env: { TS_MODEL_MIRROR: host.mirror }
  }));
  afterAll(async () => {
    host.release();
    host.server?.closeAllConnections();
    await new Promise<void>((resolve) => (host.server ? host.server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong file, shows progress, resumes a cut-off transfer, and VGG16 is then ready and chosen', async () => {
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(session.serve.url);
    await page.getByTestId('tab-train').click();
    await page.locator('[data-testid="train-advanced"] summary').click();
    const button = page.getByTestId('weights-download-button');
    await expect.poll(() => button.innerText()).toBe('Download VGG16 (≈ 59 MB)');
    // The control names the file and where it comes from: the mirror, not Keras's host.
    await expect(page.getByTestId('weights-download').innerText()).resolves.toContain(`${host.mirror}/${VGG16_FILE}`);

    // 1. The wrong file: refused by its checksum, said plainly, nothing kept as the weights.
    host.mode = 'corrupt';
    await button.click();
    await expect
      .poll(() => page.getByTestId('weights-download-error').innerText(), { timeout: 60_000 })
      .toMatch(/is not the right file: its checksum .* It was deleted and nothing was kept/);
    expect(userVggFiles()).toEqual([]);
    await expect(page.getByTestId('train-backbone').innerText()).resolves.toMatch(/VGG16 \(ImageNet\) — no weights yet/);

    // 2. Cut off midway: the progress shows while it runs, then a message says it resumes.
    host.mode = 'cut';
    await button.click();
    await expect.poll(() => button.innerText()).toBe('Downloading…');
    await expect.poll(() => progressValue(page), { timeout: 60_000 }).toBeGreaterThan(0.3);
    await expect(page.getByTestId('weights-download-count').innerText()).resolves.toMatch(/^\d+ % · \d+ of 59 MB$/);
    await page.screenshot({ path: join(RESULTS_DIR, 'weights-download-progress.png') });
    host.release();
    // What reached the disk before the cut (the last bytes in flight may be lost with the connection).
    await expect.poll(() => page.getByTestId('weights-download-error').count(), { timeout: 60_000 }).toBe(1);
    expect(userVggFiles()).toEqual([`${VGG16_FILE}.part`]);
    const kept = statSync(`${downloaded}.part`).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(host.cutAt);
    await expect(page.getByTestId('weights-download-error').innerText()).resolves.toBe(
      `The download of ${VGG16_FILE} stopped after ${megabytes(kept)} of ${megabytes(host.weights.length)} (the connection was lost). Start it again: it resumes where it stopped.`
    );

    // The button offers to resume what is on disk, after the app itself was reloaded too.
    const resume = `Resume VGG16 download (${kept / 1e6 < 10 ? (kept / 1e6).toFixed(1) : Math.round(kept / 1e6)} of 59 MB)`;
    await expect.poll(() => button.innerText()).toBe(resume);
    await page.screenshot({ path: join(RESULTS_DIR, 'weights-download-cut.png') });
    await page.reload();
    await page.getByTestId('tab-train').click();
    await page.locator('[data-testid="train-advanced"] summary').click();
    await expect.poll(() => button.innerText()).toBe(resume);

    // 3. Again: only the rest is asked for, the checksum holds, VGG16 is ready and the automatic choice.
    host.mode = 'whole';
    await button.click();
    await page
      .getByTestId('notice')
      .filter({ hasText: 'VGG16 (ImageNet) is ready and chosen for the next run.' })
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(RESULTS_DIR, 'weights-download-finished.png') });
    await page.getByTestId('weights-download').waitFor({ state: 'detached' });
    expect(host.requests).toEqual([null, null, `bytes=${kept}-`]);
    expect(userVggFiles()).toEqual([VGG16_FILE]);
    expect(md5(readFileSync(downloaded))).toBe(md5(host.weights));
    await expect(page.getByTestId('train-backbone').innerText()).resolves.toMatch(/VGG16 \(ImageNet\) — ready/);
    await expect(page.getByTestId('train-backbone').inputValue()).resolves.toBe('vgg16');
    await expect.poll(() => page.getByTestId('train-backbone-name').innerText()).toBe('VGG16 (ImageNet)');
    expect(errors).toEqual([]);
  });

  it('trains a run on the downloaded VGG16 once it is chosen', async () => {
    const labeled = join(dir, 'photos');
    for (const cls of ['ants', 'bees']) {
      copyPhotos('train', cls, 0, 8, join(labeled, 'train', cls));
      copyPhotos('val', cls, 0, 3, join(labeled, 'val', cls));
    }
    await invokeApi<ImportResult>(session.serve, 'folders:add', { path: labeled, classesFromFolders: true });
    const page = await session.browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(session.serve.url);
    await page.getByTestId('tab-train').click();
    await page.locator('[data-testid="train-advanced"] summary').click();
    await page.getByTestId('train-backbone').selectOption('vgg16');
    await expect.poll(() => page.getByTestId('train-backbone-name').innerText()).toBe('VGG16 (ImageNet)');
    // Small and without refining, so the run takes seconds: what matters is that it runs on these weights.
    await page.getByTestId('train-input-size').fill('32');
    await page.getByTestId('train-input-size').dispatchEvent('change');
    await page.getByTestId('train-fine-tune').selectOption('off');
    await page.getByTestId('train-start').click();
    await page.locator('[data-testid="run-results"][data-status="completed"]').waitFor({ timeout: 240_000 });
    const runs = await invokeApi<RunSummary[]>(session.serve, 'training:runs');
    expect(runs.map((r) => [r.backboneId, r.status])).toEqual([['vgg16', 'completed']]);
  });
});
