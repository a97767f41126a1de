/**
 * `embed`: features of images through a backbone, one JSON line per image with --json. It runs
 * the engine in this process (no project, no training process); the engine is loaded only when
 * the command runs, so no other command (serve included) ever loads TensorFlow.js.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { EmbeddingRow } from '../../engine/embed-images';
import { failOnError, resolveUserPath, writeJsonLine } from '../context';

export interface EmbedOptions {
  backbone: string;
  weights: string;
  size?: number;
  pool: 'none' | 'avg' | 'max';
  batch: number;
  json?: boolean;
}

/** Wall times of one run, ms. */
export interface EmbedTimings {
  backendMs: number;
  loadMs: number;
  decodeMs: number;
  inferMs: number;
  totalMs: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function poolMode(value: string): EmbedOptions['pool'] {
  if (value !== 'none' && value !== 'avg' && value !== 'max') throw new InvalidArgumentError('must be none, avg or max');
  return value;
}

export function registerEmbedCommand(program: Command): void {
  program
    .command('embed')
    .description('compute backbone features of images (no project needed)')
    .requiredOption('--backbone <id>', 'vgg16 | vgg19 | mobilenet_v2 | mobilenet_v2_035 | mobilenet_v2_100')
    .requiredOption('--weights <path>', 'Keras .h5 file or TF.js layers-model folder')
    .option('--size <px>', 'input size (default 224)', positiveInt)
    .option('--pool <mode>', 'none (last conv block output) | avg | max', poolMode, 'avg')
    .option('--batch <n>', 'images per forward pass', positiveInt, 8)
    .option('--json', 'one JSON object per line on stdout')
    .argument('<images...>', 'image files')
    .action(failOnError((images: string[], opts: EmbedOptions) => embedAction(images, opts)));
}

async function embedAction(images: string[], opts: EmbedOptions): Promise<void> {
  const { initBackend, loadBackbone } = await import('../../engine/index');
  const { embedImages } = await import('../../engine/embed-images');
  const t0 = performance.now();
  const backend = await initBackend();
  const t1 = performance.now();
  const backbone = await loadBackbone({ id: opts.backbone, weightsPath: resolveUserPath(opts.weights), inputSize: opts.size });
  const timings: EmbedTimings = { backendMs: t1 - t0, loadMs: performance.now() - t1, decodeMs: 0, inferMs: 0, totalMs: 0 };
  try {
    for (let i = 0; i < images.length; i += opts.batch) {
      const batch = images.slice(i, i + opts.batch).map((p) => resolveUserPath(p));
      const rows = await embedImages(backbone, batch, opts.pool, timings);
      rows.forEach((row, k) => emitEmbedding(batch[k], row, opts.json === true));
    }
  } finally {
    backbone.dispose();
  }
  timings.totalMs = performance.now() - t0;
  const round = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)]));
  if (opts.json) {
    writeJsonLine({
      type: 'result',
      backend: backend.backend,
      device: backend.device,
      label: backend.label,
      backbone: backbone.id,
      inputSize: backbone.inputSize,
      pool: opts.pool,
      images: images.length,
      timings: round
    });
  } else {
    process.stdout.write(
      `${images.length} image(s) · ${backbone.id}@${backbone.inputSize}px · ${backend.label}\n` +
        `decode ${round.decodeMs} ms · inference ${round.inferMs} ms · load ${round.loadMs} ms · total ${round.totalMs} ms\n`
    );
  }
}

function emitEmbedding(file: string, row: EmbeddingRow, json: boolean): void {
  if (json) {
    writeJsonLine({ type: 'embedding', path: file, shape: row.shape, data: Array.from(row.data, (v) => Number(v.toPrecision(7))) });
    return;
  }
  let norm = 0;
  for (const v of row.data) norm += v * v;
  process.stdout.write(
    `${file}: [${row.shape.join('×')}] ‖x‖=${Math.sqrt(norm).toFixed(3)} first ${Array.from(row.data.subarray(0, 4), (v) => v.toFixed(4)).join(', ')}\n`
  );
}
