/**
 * `embed`: features of images through a backbone, one JSON line per image with --json. It runs
 * the engine in this process (no project, no training process); the engine is loaded only when
 * the command runs, so no other command (serve included) ever loads TensorFlow.js or ONNX Runtime.
 */
import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import type { EmbeddingRow, EmbedSummary } from '../../engine/embed-images';
import { localAppOptions } from '../../server/app-options';
import { failOnError, resolveUserPath, writeJsonLine } from '../context';

export interface EmbedOptions {
  backbone: string;
  weights: string;
  size?: number;
  pool: 'none' | 'avg' | 'max';
  batch?: number;
  userData?: string;
  json?: boolean;
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
    .option('--batch <n>', 'images per forward pass (default: sized for throughput)', positiveInt)
    .option('--user-data <dir>', 'user data folder (its cache keeps exported ONNX graphs)')
    .option('--json', 'one JSON object per line on stdout')
    .argument('<images...>', 'image files')
    .action(failOnError((images: string[], opts: EmbedOptions) => embedAction(images, opts)));
}

async function embedAction(images: string[], opts: EmbedOptions): Promise<void> {
  const { embedImages } = await import('../../engine/embed-images');
  const userData = opts.userData === undefined ? undefined : resolveUserPath(opts.userData);
  const summary = await embedImages(
    {
      backboneId: opts.backbone,
      weightsPath: resolveUserPath(opts.weights),
      inputSize: opts.size,
      pool: opts.pool,
      batch: opts.batch,
      cacheDir: path.join(localAppOptions({ userData, transport: 'direct' }).cacheDir, 'onnx'),
      images: images.map((p) => resolveUserPath(p))
    },
    (file, row) => emitEmbedding(file, row, opts.json === true)
  );
  report(summary, images.length, opts);
}

function report(summary: EmbedSummary, count: number, opts: EmbedOptions): void {
  const { info } = summary;
  const round = Object.fromEntries(Object.entries(summary.timings).map(([k, v]) => [k, Math.round(v)]));
  if (opts.json) {
    writeJsonLine({
      type: 'result',
      backend: info.runtime === 'onnxruntime' ? 'onnxruntime' : info.provider,
      device: info.device,
      label: info.label,
      runtime: info.runtime,
      provider: info.provider,
      unavailable: info.unavailable,
      backbone: summary.backboneId,
      inputSize: summary.inputSize,
      pool: opts.pool,
      images: count,
      timings: round
    });
    return;
  }
  process.stdout.write(
    `${count} image(s) · ${summary.backboneId}@${summary.inputSize}px · ${info.label}\n` +
      `decode wait ${round.decodeMs} ms · inference ${round.inferMs} ms · load ${round.loadMs} ms · total ${round.totalMs} ms\n`
  );
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
