/** `embed`: features of images through a backbone, one JSON line per image with --json. */
import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import type { InferenceInfo } from '../../../shared/dto';
import { AppError } from '../../../shared/errors';
import {
  decodeAhead,
  decodeAheadFor,
  initBackend,
  loadBackbone,
  openBackboneForward,
  throughputBatchSize,
  type Backbone,
  type FrozenForward
} from '../../engine/index';
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

/** Wall times of one run, ms. Decoding overlaps inference: decodeMs is only the time spent waiting for it. */
export interface EmbedTimings {
  backendMs: number;
  /** Backbone, export (or exported graph from the cache) and session. */
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
    .option('--batch <n>', 'images per forward pass (default: sized for throughput)', positiveInt)
    .option('--user-data <dir>', 'user data folder (its cache keeps exported ONNX graphs)')
    .option('--json', 'one JSON object per line on stdout')
    .argument('<images...>', 'image files')
    .action(failOnError((images: string[], opts: EmbedOptions) => embedAction(images, opts)));
}

async function embedAction(images: string[], opts: EmbedOptions): Promise<void> {
  const t0 = performance.now();
  await initBackend();
  const t1 = performance.now();
  const backbone = await loadBackbone({ id: opts.backbone, weightsPath: resolveUserPath(opts.weights), inputSize: opts.size });
  const timings: EmbedTimings = { backendMs: t1 - t0, loadMs: 0, decodeMs: 0, inferMs: 0, totalMs: 0 };
  const output = opts.pool === 'none' ? 'maps' : opts.pool;
  const userData = opts.userData === undefined ? undefined : resolveUserPath(opts.userData);
  const cacheDir = path.join(localAppOptions({ userData, transport: 'direct' }).cacheDir, 'onnx');
  let info: InferenceInfo;
  try {
    const forward = await openBackboneForward(backbone, output, { cacheDir });
    info = forward.info;
    timings.loadMs = performance.now() - t1;
    try {
      await embedAll(forward, images, opts.batch ?? throughputBatchSize(backbone.base, 1), opts.json === true, timings);
    } finally {
      await forward.dispose();
    }
  } finally {
    backbone.dispose();
  }
  timings.totalMs = performance.now() - t0;
  report(info, backbone, images.length, opts, timings);
}

/** Decodes ahead while the previous batch runs; prints each image's row as it comes. */
async function embedAll(forward: FrozenForward, images: string[], batchSize: number, json: boolean, timings: EmbedTimings): Promise<void> {
  const items = images.map((p) => ({ path: resolveUserPath(p) }));
  const per = forward.outputShape.reduce((a, b) => a * b, 1);
  let waited = performance.now();
  for await (const batch of decodeAhead(items, { inputSize: forward.spec.inputSize, batchSize, ahead: decodeAheadFor(batchSize) })) {
    const ti = performance.now();
    timings.decodeMs += ti - waited;
    const failed = batch.failed[0];
    if (failed) throw new AppError('IO_ERROR', failed.reason);
    const data = await forward.run(batch.decoded.map((d) => d.pixels));
    timings.inferMs += performance.now() - ti;
    batch.decoded.forEach((d, k) =>
      emitEmbedding(d.item.path, { shape: forward.outputShape, data: data.subarray(k * per, (k + 1) * per) }, json)
    );
    waited = performance.now();
  }
}

function report(info: InferenceInfo, backbone: Backbone, count: number, opts: EmbedOptions, timings: EmbedTimings): void {
  const round = Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)]));
  if (opts.json) {
    writeJsonLine({
      type: 'result',
      backend: info.runtime === 'onnxruntime' ? 'onnxruntime' : info.provider,
      device: info.device,
      label: info.label,
      runtime: info.runtime,
      provider: info.provider,
      unavailable: info.unavailable,
      backbone: backbone.id,
      inputSize: backbone.inputSize,
      pool: opts.pool,
      images: count,
      timings: round
    });
    return;
  }
  process.stdout.write(
    `${count} image(s) · ${backbone.id}@${backbone.inputSize}px · ${info.label}\n` +
      `decode wait ${round.decodeMs} ms · inference ${round.inferMs} ms · load ${round.loadMs} ms · total ${round.totalMs} ms\n`
  );
}

interface EmbeddingRow {
  shape: number[];
  data: Float32Array;
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
