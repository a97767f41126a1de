/** `export --run ID --out DIR`: the run's model folder and a CSV of its predictions. */
import type { Command } from 'commander';
import { AppError } from '../../../shared/errors';
import { addProjectOptions, failOnError, resolveUserPath, withClient, writeJsonLine, type ProjectOptions } from '../context';

interface ExportOptions extends ProjectOptions {
  run: string;
  out: string;
  replace?: boolean;
}

export function registerExportCommand(program: Command): void {
  const command = program
    .command('export')
    .description("write a run's model (TF.js layers-model, labels.json, preprocessing.json) and predictions.csv to a folder")
    .requiredOption('--run <id>', 'run id')
    .requiredOption('--out <dir>', 'output folder (created if missing; must be empty unless --replace)')
    .option('--replace', 'write into a folder that is not empty, replacing model/ and predictions.csv there');
  addProjectOptions(command).action(failOnError(exportAction));
}

async function exportAction(opts: ExportOptions): Promise<void> {
  const runId = Number(opts.run);
  if (!Number.isInteger(runId) || runId < 1) throw new AppError('INVALID_REQUEST', `--run must be a run id, got ${opts.run}`);
  const outDir = resolveUserPath(opts.out);
  const result = await withClient(opts, (client) =>
    client.invoke('training:export', { runId, outDir, replace: opts.replace === true })
  ).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'CONFLICT') throw new AppError('CONFLICT', `${err.message} To replace, add --replace.`);
    throw err;
  });
  if (opts.json) writeJsonLine({ type: 'result', runId, ...result });
  else process.stdout.write(`Exported run ${runId}: model ${result.modelDir}, ${result.predictions} predictions in ${result.csvPath}\n`);
}
