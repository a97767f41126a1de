/**
 * `npm run bench:scale`: projects of 1,000 / 10,000 / 100,000 generated photos (96 px JPEGs, half
 * labeled from class folders, half in an inbox, plus a trained model's suggestions and validation
 * photos). For each size it prints the import rate and peak memory, project, thumbnail and
 * feature-cache size, the server time of pages for every grid filter and order, of the counts,
 * and of one label plus the refresh the renderer asks for after it; then the growth exponent of
 * each figure (1 = linear in the library size, 0 = constant). Server time is CPU time of the
 * request on the main side, which does not grow when other programs share the cores; the load
 * average is printed with it. The photos are generated once under the OS temp folder and reused;
 * every run imports them into a fresh project. BENCH_SCALE_SIZES=1000,10000 picks the sizes.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { measureSize, type SizeFigures } from './scale/measure-size';
import { printReport } from './scale/report';

const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number);

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    const figures = await measureSize(Number(process.argv[child + 1]), (line) => console.error(line));
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  console.log(
    `bench:scale on ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at start`
  );
  const results = new Map<number, SizeFigures>();
  for (const size of SIZES) {
    // A process per size: its peak memory and SQLite caches are that size's alone.
    const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--child', String(size)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 1 << 24
    });
    if (run.status !== 0) throw new Error(`bench:scale for ${size} photos failed (exit ${run.status})`);
    results.set(size, JSON.parse(run.stdout.trim().split('\n').pop() as string) as SizeFigures);
  }
  printReport(results);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} at end`
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
