/**
 * `predict`: runs a trained model (the active one by default) over every unlabeled photo.
 * Ctrl-C cancels: the prediction process stops and the previous suggestions stay as they were.
 * With image files as arguments it predicts those instead (Try a photo; predict-images.ts) and
 * leaves the project's suggestions alone.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { ApiClient } from '../../../shared/contract';
import type { PredictionFinished, PredictionProgress } from '../../../shared/dto';
import { AppError } from '../../../shared/errors';
import { addProjectOptions, failOnError, withClient, writeJsonLine, type ProjectOptions } from '../context';
import { predictImages } from './predict-images';

interface PredictOptions extends ProjectOptions {
  run?: string;
  limit?: string;
}

export function registerPredictCommand(program: Command): void {
  const command = program
    .command('predict')
    .description(
      'predict every unlabeled photo with a trained model and store the suggestions (Ctrl-C cancels); with IMAGE files: their top classes only'
    )
    .option('--run <id>', 'run whose model to use (default: the active model)')
    .option('--limit <n>', 'suggestions to print, least certain first', '20')
    .argument('[images...]', 'image files to predict (in the project or not) instead of the unlabeled photos');
  addProjectOptions(command).action(failOnError(predictAction));
}

async function predictAction(images: string[], opts: PredictOptions): Promise<void> {
  const runId = opts.run === undefined ? undefined : Number(opts.run);
  if (runId !== undefined && !Number.isInteger(runId)) throw new AppError('INVALID_REQUEST', `--run must be a run id, got ${opts.run}`);
  if (images.length > 0) return withClient(opts, (client) => predictImages(client, images, runId, opts.json === true));
  const limit = Math.max(1, Math.min(1000, Number(opts.limit ?? 20) || 20));
  const { done, page } = await withClient(opts, async (client) => {
    const done = await predictUnlessInterrupted(client, runId, opts.json === true);
    const page = await client.invoke('predictions:list', { runId: done.runId, limit });
    return { done, page };
  });
  if (opts.json) {
    writeJsonLine({ type: 'result', runId: done.runId, predictions: done.predictions, suggestions: page.items });
    return;
  }
  const lines = [`Run ${done.runId}: predicted ${done.predictions} unlabeled photos. Least certain first:`];
  for (const s of page.items) lines.push(`  photo ${s.photoId}: ${s.className} (${(s.confidence * 100).toFixed(1)}%)`);
  process.stdout.write(lines.join('\n') + '\n');
}

/**
 * Predicts, stopping the prediction process on Ctrl-C. The invoke answers at once; progress and
 * the end come as events. The main side writes the predictions only when every photo is
 * through, so once interrupted, however the prediction then ends (cancelled, or the process
 * dying of the terminal's SIGINT first), nothing was written: say so, exit non-zero.
 */
async function predictUnlessInterrupted(
  client: ApiClient,
  runId: number | undefined,
  json: boolean
): Promise<{ runId: number; predictions: number }> {
  let interrupted = false;
  // Kept (not `once`) until the prediction has ended: one Ctrl-C can arrive twice (under tsx, as
  // `npm run cli` runs, the parent relays it when it cannot tell it was handled), and a second
  // one must not end the process before it has said what became of the suggestions.
  const onSigint = () => {
    if (interrupted) return;
    interrupted = true;
    // Without a run id, cancel stops whatever holds this process's one training slot: this predict.
    client.invoke('training:cancel', runId === undefined ? undefined : { runId }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  const report = json ? (p: PredictionProgress) => writeJsonLine({ type: 'progress', ...p }) : progressBar();
  const offProgress = client.on('predictions:progress', report);
  // This process holds one training slot, so the first end announced is this prediction's; it
  // may come before the invoke's answer (a process that could not start).
  let offFinished: () => void = () => undefined;
  const finished = new Promise<PredictionFinished>((resolve) => (offFinished = client.on('predictions:finished', resolve)));
  try {
    await client.invoke('training:predict', { runId });
    if (!json)
      process.stderr.write(
        `Predicting the unlabeled photos with ${runId === undefined ? 'the active model' : `run ${runId}'s model`}… (Ctrl-C cancels)\n`
      );
    return outcome(await finished, interrupted);
  } finally {
    offProgress();
    offFinished();
    if (!json) (report as ReturnType<typeof progressBar>).stop();
    process.removeListener('SIGINT', onSigint);
  }
}

function outcome(finished: PredictionFinished, interrupted: boolean): { runId: number; predictions: number } {
  if (interrupted && finished.status !== 'completed') {
    throw new AppError('CANCELLED', 'Predicting was cancelled (Ctrl-C); the previous suggestions are kept.');
  }
  if (finished.status === 'completed') return { runId: finished.runId, predictions: finished.predictions ?? 0 };
  if (finished.status === 'cancelled') throw new AppError('CANCELLED', 'Predicting was cancelled; the previous suggestions are kept.');
  throw new AppError('TRAINING_FAILED', finished.error ?? 'The prediction failed; the previous suggestions are kept.');
}

/** A bar on stderr from the first 'predicting' report on (loading the model has no count). */
function progressBar(): ((p: PredictionProgress) => void) & { stop(): void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'predicting [{bar}] {value}/{total} photos {rate}', hideCursor: true },
    cliProgress.Presets.shades_classic
  );
  let started = false;
  const update = (p: PredictionProgress) => {
    if (p.phase !== 'predicting' || p.total === 0) return;
    const rate = p.imagesPerSec ? `· ${p.imagesPerSec.toFixed(1)}/s` : '';
    if (!started) bar.start(Math.max(p.total, 1), p.done, { rate });
    else bar.update(p.done, { rate });
    started = true;
  };
  return Object.assign(update, { stop: () => started && bar.stop() });
}
