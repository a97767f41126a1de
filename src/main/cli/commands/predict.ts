/** `predict`: runs a trained model (the active one by default) over every unlabeled photo. */
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { addProjectOptions, failOnError, withClient, writeJsonLine, type ProjectOptions } from '../context';

interface PredictOptions extends ProjectOptions {
  run?: string;
  limit?: string;
}

export function registerPredictCommand(program: Command): void {
  const command = program
    .command('predict')
    .description('predict every unlabeled photo with a trained model and store the suggestions')
    .option('--run <id>', 'run whose model to use (default: the active model)')
    .option('--limit <n>', 'suggestions to print, least certain first', '20');
  addProjectOptions(command).action(failOnError(predictAction));
}

async function predictAction(opts: PredictOptions): Promise<void> {
  const runId = opts.run === undefined ? undefined : Number(opts.run);
  if (runId !== undefined && !Number.isInteger(runId)) throw new AppError('INVALID_REQUEST', `--run must be a run id, got ${opts.run}`);
  const limit = Math.max(1, Math.min(1000, Number(opts.limit ?? 20) || 20));
  const { done, page } = await withClient(opts, async (client) => {
    const done = await client.invoke('training:predict', { runId });
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
