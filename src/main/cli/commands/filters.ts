/**
 * `filters`: the images that most excite a conv layer's filters (gradient ascent on the input),
 * one PNG per filter. No project needed. With --json: a line per filter, then one result line.
 */
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { FilterImage, FilterModel, FilterProgress, FilterRun } from '../../engine/explain/index';
import type { filterLayers } from '../../engine/explain/index';

type FilterLayersFn = typeof filterLayers;
import { DEFAULT_FILTER_SETTINGS } from '../../engine/explain/settings';
import { localAppOptions } from '../../server/app-options';
import { failOnError, resolveUserPath, writeJsonLine } from '../context';

interface FiltersOptions {
  backbone: string;
  weights: string;
  layer?: string;
  filters: number[];
  size: number;
  steps: number;
  stepSize: number;
  jitter: number;
  blur: number;
  seed: number;
  batch: number;
  out?: string;
  /** A trained model's folder: its network's weights instead of the pretrained ones. */
  model?: string;
  cache: boolean;
  userData?: string;
  listLayers?: boolean;
  json?: boolean;
}

/** "0-15", "3,7,10-12" → [0…15], [3,7,10,11,12]. */
export function parseFilterList(value: string): number[] {
  const out: number[] = [];
  for (const part of value.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new InvalidArgumentError('use indices and ranges like 0-15 or 3,7,10-12');
    const [from, to] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (to < from) throw new InvalidArgumentError(`range ${part} runs backwards`);
    if (to - from > 4096) throw new InvalidArgumentError(`range ${part} is too long`);
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
    return n;
  };
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('must be a number ≥ 0');
  return n;
}

export function registerFiltersCommand(program: Command): void {
  const d = DEFAULT_FILTER_SETTINGS;
  program
    .command('filters')
    .description('make the input image that most excites each filter of a conv layer (gradient ascent), one PNG per filter')
    .requiredOption('--backbone <id>', 'vgg16 | vgg19 | mobilenet_v2 | mobilenet_v2_035 | mobilenet_v2_100 | custom')
    .requiredOption('--weights <path>', 'Keras .h5 file or TF.js layers-model folder')
    .option('--layer <name>', 'conv layer (see --list-layers)')
    .option('--filters <list>', 'filter indices, e.g. 0-15 or 3,7,10-12', parseFilterList, parseFilterList('0-15'))
    .option('--size <px>', 'image side (a custom TF.js model keeps its own)', integer(32), 128)
    .option('--steps <n>', 'gradient-ascent steps', integer(0), d.steps)
    .option('--step-size <levels>', 'RMS change per step, in 0-255 pixel levels', positiveNumber, d.stepSize)
    .option('--jitter <px>', 'largest random shift before each step (0: off)', integer(0), d.jitter)
    .option('--blur <px>', 'Gaussian blur of each step’s gradient, sigma (0: off)', positiveNumber, d.blurSigma)
    .option('--seed <n>', 'start noise and jitter seed', integer(0), d.seed)
    .option('--batch <n>', 'filters climbed together', integer(1), 4)
    .option('--out <dir>', 'folder for the PNGs (created if missing)')
    .option('--model <dir>', "a trained model's folder (a run's, or exported): its network's weights, top block as fine-tuned")
    .option('--no-cache', 'recompute even when the cache has the image')
    .option('--user-data <dir>', 'user data folder (its cache/filters holds computed images)')
    .option('--list-layers', 'print the conv layers of the backbone and stop')
    .option('--json', 'one JSON object per line on stdout')
    .action(failOnError((opts: FiltersOptions) => filtersAction(opts)));
}

async function filtersAction(opts: FiltersOptions): Promise<void> {
  if (!opts.listLayers && (!opts.layer || !opts.out))
    throw new AppError('INVALID_REQUEST', 'filters needs --layer NAME and --out DIR (or --list-layers to see the layers).');
  // The engine loads only when the command runs (the CLI's other commands never need it).
  const { initBackend } = await import('../../engine/index');
  const { filterLayers } = await import('../../engine/explain/index');
  const backend = await initBackend();
  const model = await loadModel(opts);
  try {
    if (opts.listLayers) return printLayers(model.id, filterLayers(model), model.source.refinedLayers, opts.json === true);
    const out = resolveUserPath(opts.out as string);
    await mkdir(out, { recursive: true });
    const started = performance.now();
    const run = await makeFilters(model, opts, out);
    const ms = performance.now() - started;
    const computed = run.filters.filter((f) => !f.cached).length;
    const result = {
      backend: backend.backend,
      label: backend.label,
      backbone: model.id,
      layer: run.layer.name,
      size: model.inputSize,
      filters: run.filters.length,
      cached: run.filters.length - computed,
      out,
      weights: weightsOf(model, opts),
      ms: Math.round(ms),
      msPerFilter: computed > 0 ? Math.round(ms / computed) : null,
      settings: run.settings
    };
    if (opts.json) return writeJsonLine({ type: 'result', ...result });
    const weights = result.weights.model === null ? 'pretrained weights' : `the network of ${result.weights.model}`;
    const refined = result.weights.refinedLayers.includes(result.layer) ? ' (refined by fine-tuning)' : '';
    process.stdout.write(
      `${result.filters} filter image(s) of ${result.layer}${refined} (${run.layer.filters} filters) · ${model.id}@${model.inputSize}px · ${weights} · ${backend.label}\n` +
        `${result.cached} from the cache · ${result.ms} ms${computed > 0 ? ` · ${result.msPerFilter} ms per computed filter` : ''} · ${out}\n`
    );
  } finally {
    model.dispose();
  }
}

/**
 * The backbone with its pretrained weights, or with a trained model's (--model). A model folder
 * that cannot be used is an error here: the person asked for that network, not the pretrained one.
 */
async function loadModel(opts: FiltersOptions): Promise<FilterModel> {
  const { loadFilterModel, loadRunFilterModel } = await import('../../engine/explain/index');
  const load = { backboneId: opts.backbone, weightsPath: resolveUserPath(opts.weights), inputSize: opts.size };
  if (opts.model === undefined) return loadFilterModel(load);
  const model = await loadRunFilterModel({ ...load, runModelDir: resolveUserPath(opts.model) });
  if (model.source.fallback === null) return model;
  model.dispose();
  throw new AppError('WEIGHTS_INVALID', model.source.fallback);
}

/** Whose weights the images show: the model folder's (and which layers fine-tuning changed), or the pretrained ones. */
function weightsOf(model: FilterModel, opts: FiltersOptions): { model: string | null; refinedLayers: string[] } {
  if (model.source.kind !== 'run') return { model: null, refinedLayers: [] };
  return { model: resolveUserPath(opts.model as string), refinedLayers: model.source.refinedLayers };
}

/** The images, written to `out` as they come, with progress on stderr (or JSON lines). */
async function makeFilters(model: FilterModel, opts: FiltersOptions, out: string): Promise<FilterRun> {
  const { visualizeFilters } = await import('../../engine/explain/index');
  const userData = opts.userData === undefined ? undefined : resolveUserPath(opts.userData);
  const cacheDir = opts.cache ? path.join(localAppOptions({ userData, transport: 'direct' }).cacheDir, 'filters') : undefined;
  const reporter = opts.json ? jsonProgress() : barProgress();
  const request = {
    layer: opts.layer as string,
    filters: opts.filters,
    batchSize: opts.batch,
    cacheDir,
    settings: { steps: opts.steps, stepSize: opts.stepSize, jitter: opts.jitter, blurSigma: opts.blur, seed: opts.seed }
  };
  return runWith(reporter, () =>
    visualizeFilters(model, request, {
      onProgress: reporter.update,
      onFilter: (image) => writeFilter(out, image, opts.json === true, reporter.log)
    })
  );
}

/** Runs, then stops the reporter (which prints its lines under the bar). */
async function runWith<T>(reporter: Reporter, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    reporter.stop();
  }
}

function fileName(layer: string, index: number): string {
  return `${layer.replace(/[^A-Za-z0-9._-]/g, '_')}-${String(index).padStart(4, '0')}.png`;
}

async function writeFilter(out: string, image: FilterImage, json: boolean, log: (line: string) => void): Promise<void> {
  const file = path.join(out, fileName(image.layer, image.index));
  await writeFile(file, image.png);
  const { layer, index, activationStart, activationEnd } = image;
  if (json) writeJsonLine({ type: 'filter', layer, index, file, activationStart, activationEnd, cached: image.cached });
  else log(`${layer} #${index}: mean activation ${activationStart.toFixed(3)} → ${activationEnd.toFixed(3)}  ${file}`);
}

/** The conv layers; with --model, those fine-tuning changed are marked. */
function printLayers(id: string, layers: ReturnType<FilterLayersFn>, refined: string[], json: boolean): void {
  if (json) {
    writeJsonLine({ type: 'result', backbone: id, layers: layers.map((l) => ({ ...l, refined: refined.includes(l.name) })) });
    return;
  }
  const lines = layers.map(
    (l) =>
      `${l.name.padEnd(28)} ${l.className.padEnd(16)} ${String(l.filters).padStart(5)} filters  ${l.height}×${l.width}${refined.includes(l.name) ? '  refined' : ''}`
  );
  process.stdout.write(lines.join('\n') + '\n');
}

interface Reporter {
  update(p: FilterProgress): void;
  /** A line for stdout that does not tear the bar. */
  log(line: string): void;
  stop(): void;
}

/** Progress lines on stdout, at most one per 100 ms plus the first and last. */
function jsonProgress(): Reporter {
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (p.done !== 0 && p.done < p.total && now - last < 100) return;
      last = now;
      writeJsonLine({ type: 'progress', ...p });
    },
    log: () => undefined,
    stop: () => undefined
  };
}

function barProgress(): Reporter {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'filters [{bar}] {filtersDone}/{filtersTotal} filters · step {value}/{total}', hideCursor: true },
    cliProgress.Presets.shades_classic
  );
  let started = false;
  const lines: string[] = [];
  return {
    update(p) {
      if (!started) bar.start(Math.max(p.total, 1), p.done, p);
      else bar.update(p.done, p);
      started = true;
    },
    log: (line) => lines.push(line),
    stop() {
      if (started) bar.stop();
      if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
    }
  };
}
