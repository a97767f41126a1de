import { join } from 'node:path';
import { launchBrowser } from '../helpers/browser';
import { startServe } from '../helpers/serve';
const dir = '/tmp/tstudio-screens';
const TM = '/work/shared/models/mobilenet-v2-0.35-224-tm-base';
const serve = await startServe({ project: join(dir, 'screens.tstudio'), extraArgs: ['--user-data', join(dir, 'user')] });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(
    (w) => localStorage.setItem('transferStudio.trainOptions', JSON.stringify({ weightsPath: w, inputSize: 224 })),
    TM
  );
  page.on('console', (m) => console.log('console:', m.text()));
  await page.goto(serve.url);
  await page.getByTestId('tab-train').click();
  await page.getByTestId('train-start').click();
  const t0 = Date.now();
  let i = 0;
  for (;;) {
    const phase = await page
      .getByTestId('training-progress')
      .getAttribute('data-phase')
      .catch(() => null);
    const epochs = await page
      .getByTestId('chart-loss')
      .getAttribute('data-epochs')
      .catch(() => null);
    const runId = await page
      .locator('[data-testid="run-results"]')
      .getAttribute('data-run-id')
      .catch(() => null);
    console.log(Date.now() - t0, phase, 'epochs', epochs, 'run', runId);
    if (i++ % 4 === 0) await page.screenshot({ path: `/tmp/probe-train-${i}.png` });
    if (phase === 'completed' || Date.now() - t0 > 240_000) break;
    await page.waitForTimeout(500);
  }
  await page.waitForTimeout(1000);
  await page.screenshot({ path: '/tmp/probe-train-end.png' });
  console.log('end epochs', await page.getByTestId('chart-loss').getAttribute('data-epochs'));
} finally {
  await browser.close();
  await serve.stop();
}
