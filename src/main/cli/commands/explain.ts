/**
 * `explain`: Grad-CAM of a trained run for photos: where in each photo the evidence for the
 * predicted (or a chosen) class lies. Writes the photo's crop with the heat over it, one PNG
 * per image; with --json, a line per image with the raw map, then one result line.
 */
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunDetail } from '../../../shared/dto';
import { AppError } from '../../../shared/errors';
import type { CamModel, ExplainRun, PhotoExplanation } from '../../engine/explain/index';
import { addProjectOptions, failOnError, resolveUserPath, withClient, writeJsonLine, type ProjectOptions } from '../context';

interface ExplainOptions extends ProjectOptions {
  run: string;
  out: string;
  class?: string;
  size: number;
}

function renderSide(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 8 || n > 4096) throw new InvalidArgumentError('must be an integer from 8 to 4096');
  return n;
}

export function registerExplainCommand(program: Command): void {
  const command = program
    .command('explain')
    .description("Grad-CAM: where a trained run's model finds its class in each photo; writes one overlay PNG per image")
    .requiredOption('--run <id>', 'run whose model explains')
    .requiredOption('--out <dir>', 'folder for the overlay PNGs (created if missing)')
    .option('--class <name>', 'class to explain (default: the predicted class of each photo)')
    .option('--size <px>', 'side of the overlay PNG', renderSide, 448)
    .argument('<images...>', 'photo files');
  addProjectOptions(command).action(failOnError((images: string[], opts: ExplainOptions) => explainAction(images, opts)));
}

async function explainAction(images: string[], opts: ExplainOptions): Promise<void> {
  const runId = Number(opts.run);
  if (!Number.isInteger(runId) || runId < 1) throw new AppError('INVALID_REQUEST', `--run must be a run id, got ${opts.run}`);
  const run = await withClient(opts, (client) => client.invoke('training:run', { runId }));
  const modelDir = requireModel(run, opts.class);
  const out = resolveUserPath(opts.out);
  await mkdir(out, { recursive: true });
  // The engine loads only when the command runs (the CLI's other commands never need it).
  const { initBackend } = await import('../../engine/index');
  const { loadCamModel } = await import('../../engine/explain/index');
  const backend = await initBackend();
  const started = performance.now();
  const model = await loadCamModel(modelDir);
  try {
    const result = await explainToFiles(model, images, opts, out);
    const summary = {
      runId,
      backend: backend.backend,
      label: backend.label,
      camLayer: model.targetLayer,
      inputSize: model.inputSize,
      images: images.length,
      explained: result.explanations.length,
      failed: result.failed.length,
      out,
      ms: Math.round(performance.now() - started)
    };
    if (opts.json) writeJsonLine({ type: 'result', ...summary });
    else
      process.stdout.write(
        `Run ${runId}: ${summary.explained} of ${summary.images} photo(s) explained (${model.targetLayer}) · ${backend.label} · ${summary.ms} ms · ${out}\n`
      );
    if (result.failed.length > 0) {
      process.stderr.write(`error: ${result.failed.length} photo(s) could not be read; the others were written.\n`);
      process.exitCode = 1;
    }
  } finally {
    model.dispose();
  }
}

/** Explains each photo and writes its overlay; reports a line per photo (JSON, or text under the bar). */
async function explainToFiles(model: CamModel, images: string[], opts: ExplainOptions, out: string): Promise<ExplainRun> {
  const names = new OutputNames(out);
  const bar = opts.json || images.length < 2 ? null : progressBar(images.length);
  const lines: string[] = [];
  const { explainPhotos } = await import('../../engine/explain/index');
  try {
    return await explainPhotos(
      model,
      images.map((i) => resolveUserPath(i)),
      { className: opts.class, renderSize: opts.size },
      {
        onPhoto: async (e) => {
          const file = names.next(e.path);
          await writeFile(file, e.png as Uint8Array);
          report(e, file, opts.json === true, lines);
        },
        onFailure: (f) => (opts.json ? writeJsonLine({ type: 'skipped', ...f }) : lines.push(`${f.path}: skipped (${f.reason})`)),
        onProgress: (p) => bar?.update(p.done)
      }
    );
  } finally {
    bar?.stop();
    if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
  }
}

/** The run's model folder; a run without one, or an unknown class, is a clear error before any work. */
function requireModel(run: RunDetail, className: string | undefined): string {
  if (!run.modelPath)
    throw new AppError('NOT_FOUND', `Run ${run.id} has no saved model (status ${run.status}). Choose a completed run, or train again.`);
  if (className !== undefined && !run.classes.includes(className))
    throw new AppError('INVALID_REQUEST', `Run ${run.id} has no class "${className}". Its classes: ${run.classes.join(', ')}.`);
  return run.modelPath;
}

function report(e: PhotoExplanation, file: string, json: boolean, lines: string[]): void {
  if (json) {
    writeJsonLine({
      type: 'explanation',
      path: e.path,
      predicted: e.predicted,
      confidence: e.confidence,
      class: e.className,
      classProbability: e.classProbability,
      file,
      camLayer: e.camLayer,
      cam: e.cam
    });
    return;
  }
  const explained = e.className === e.predicted ? '' : `, explaining ${e.className} (${(e.classProbability * 100).toFixed(1)}%)`;
  lines.push(`${e.path}: ${e.predicted} (${(e.confidence * 100).toFixed(1)}%)${explained} → ${file}`);
}

/** `<name>.cam.png` per photo; a second photo of the same name gets `<name>-2.cam.png`. */
class OutputNames {
  private readonly used = new Set<string>();
  constructor(private readonly out: string) {}

  next(photo: string): string {
    const stem = path.basename(photo, path.extname(photo));
    let name = `${stem}.cam.png`;
    for (let n = 2; this.used.has(name); n++) name = `${stem}-${n}.cam.png`;
    this.used.add(name);
    return path.join(this.out, name);
  }
}

function progressBar(total: number): { update(done: number): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'explaining [{bar}] {value}/{total} photos', hideCursor: true },
    cliProgress.Presets.shades_classic
  );
  bar.start(total, 0);
  let stopped = false;
  return {
    update: (done) => bar.update(done),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    }
  };
}
