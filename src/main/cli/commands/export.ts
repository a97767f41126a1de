/** `export --run ID --out DIR`: the run's model folder and a CSV of its predictions. */
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { addProjectOptions, failOnError, resolveUserPath, withClient, writeJsonLine, type ProjectOptions } from '../context';

interface ExportOptions extends ProjectOptions {
  run: string;
  out: string;
}

export function registerExportCommand(program: Command): void {
  const command = program
    .command('export')
    .description("write a run's model (TF.js layers-model, labels.json, preprocessing.json) and predictions.csv to a folder")
    .requiredOption('--run <id>', 'run id')
    .requiredOption('--out <dir>', 'output folder (created if missing)');
  addProjectOptions(command).action(failOnError(exportAction));
}

async function exportAction(opts: ExportOptions): Promise<void> {
  const runId = Number(opts.run);
  if (!Number.isInteger(runId) || runId < 1) throw new AppError('INVALID_REQUEST', `--run must be a run id, got ${opts.run}`);
  const result = await withClient(opts, (client) => client.invoke('training:export', { runId, outDir: resolveUserPath(opts.out) }));
  if (opts.json) writeJsonLine({ type: 'result', runId, ...result });
  else process.stdout.write(`Exported run ${runId}: model ${result.modelDir}, ${result.predictions} predictions in ${result.csvPath}\n`);
}
