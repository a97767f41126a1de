/**
 * Grid benchmark: the 20,000-photo project in Chromium over serve mode. Prints the time to the
 * first thumbnails, the time for thumbnails to appear after a jump to the middle, and frame
 * times (requestAnimationFrame deltas) while scrolling top to bottom: p50 / p95 / max.
 * Figures only; nothing here is asserted.
 */
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from '../test/helpers/browser';
import { startServe } from '../test/helpers/serve';
import { ensureLargeProject } from '../test/e2e/large-project';

/** Pixels scrolled per frame: a brisk scroll-wheel flick. */
const SCROLL_PX_PER_FRAME = Number(process.env.BENCH_SCROLL_PX ?? 600);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (v: number): string => `${v.toFixed(1)} ms`;

/** Runs in the page: scrolls the grid to the bottom, one step per frame, and records frame deltas. */
async function scrollAndMeasure(step: number): Promise<{ deltas: number[]; maxTiles: number }> {
  const grid = document.querySelector<HTMLElement>('[data-testid="photo-grid"]')!;
  const deltas: number[] = [];
  let maxTiles = 0;
  let last = performance.now();
  await new Promise<void>((done) => {
    const tick = (now: number): void => {
      deltas.push(now - last);
      last = now;
      maxTiles = Math.max(maxTiles, grid.querySelectorAll('[data-testid="photo-tile"],[data-testid="photo-placeholder"]').length);
      if (grid.scrollTop + grid.clientHeight >= grid.scrollHeight - 1) return done();
      grid.scrollTop += step;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame((now) => {
      last = now;
      requestAnimationFrame(tick);
    });
  });
  return { deltas: deltas.slice(1), maxTiles };
}

/** Runs in the page: true when every tile in view shows a decoded thumbnail. */
function visibleThumbsLoaded(): boolean {
  const grid = document.querySelector<HTMLElement>('[data-testid="photo-grid"]');
  if (!grid) return false;
  const box = grid.getBoundingClientRect();
  const imgs = [...grid.querySelectorAll<HTMLImageElement>('[data-testid="photo-tile"] img')].filter((img) => {
    const r = img.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom;
  });
  const placeholders = [...grid.querySelectorAll('[data-testid="photo-placeholder"]')].filter((el) => {
    const r = el.getBoundingClientRect();
    return r.bottom > box.top && r.top < box.bottom;
  });
  return imgs.length > 0 && placeholders.length === 0 && imgs.every((img) => img.complete && img.naturalWidth > 0);
}

async function main(): Promise<void> {
  if (!chromiumAvailable()) throw new Error(`Chromium not found at ${CHROMIUM_PATH}; the grid bench needs it.`);
  const large = await ensureLargeProject((line) => console.error(line));
  const serve = await startServe({ project: large.project, extraArgs: ['--user-data', large.userData] });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // tsx keeps function names with a __name helper that does not exist inside the page.
    await page.addInitScript({ content: 'window.__name = (fn) => fn;' });
    await page.goto(serve.url);
    await page.waitForFunction(visibleThumbsLoaded, null, { polling: 'raf', timeout: 120_000 });
    const firstThumbs = await page.evaluate(() => performance.now());
    const [pageAsked, firstPage, firstTile] = await page.evaluate(() => {
      const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const find = (part: string) => entries.find((e) => e.name.includes(part));
      return [
        find('/api/invoke/photos:page')?.startTime ?? NaN,
        find('/api/invoke/photos:page')?.responseEnd ?? NaN,
        find('/photo/thumb/')?.responseEnd ?? NaN
      ];
    });
    const columns = await page.getByTestId('photo-grid').getAttribute('data-columns');

    const jumpStart = await page.evaluate(() => {
      const grid = document.querySelector<HTMLElement>('[data-testid="photo-grid"]')!;
      grid.scrollTop = grid.scrollHeight / 2;
      return performance.now();
    });
    await page.waitForFunction(visibleThumbsLoaded, null, { polling: 'raf', timeout: 60_000 });
    const jumpMs = (await page.evaluate(() => performance.now())) - jumpStart;
    await page.evaluate(() => (document.querySelector<HTMLElement>('[data-testid="photo-grid"]')!.scrollTop = 0));
    await page.waitForTimeout(500);

    const started = Date.now();
    const { deltas, maxTiles } = await page.evaluate(scrollAndMeasure, SCROLL_PX_PER_FRAME);
    const seconds = (Date.now() - started) / 1000;
    const sorted = [...deltas].sort((a, b) => a - b);
    const renderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl');
      const info = gl?.getExtension('WEBGL_debug_renderer_info');
      return info && gl ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'no WebGL (software compositing)';
    });
    console.log(`grid bench: ${large.photos} photos, ${columns} columns at 1400×900, Chromium ${browser.version()} headless`);
    console.log(`  backend: serve mode over HTTP (127.0.0.1); renderer: ${renderer}; GPU disabled (${CHROMIUM_ARGS.join(' ')})`);
    console.log(`  first thumbnails (all visible tiles decoded): ${ms(firstThumbs)} after navigation start`);
    console.log(
      `    first photos:page asked at ${ms(pageAsked)}, answered at ${ms(firstPage)}; first thumbnail answered at ${ms(firstTile)}`
    );
    console.log(`  jump to the middle → visible thumbnails decoded: ${ms(jumpMs)}`);
    console.log(`  scroll top→bottom at ${SCROLL_PX_PER_FRAME} px/frame: ${deltas.length} frames in ${seconds.toFixed(1)} s`);
    console.log(`  frame time p50 ${ms(percentile(sorted, 50))}  p95 ${ms(percentile(sorted, 95))}  max ${ms(sorted[sorted.length - 1])}`);
    console.log(`  most tiles in the DOM while scrolling: ${maxTiles}`);
  } finally {
    await browser.close();
    await serve.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
