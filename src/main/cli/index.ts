/**
 * The command line: `npm run cli -- <command>` (tsx). Every command goes through the same
 * handlers as the app, via a direct client. With --json, stdout carries only JSON lines.
 */
import { Command } from 'commander';
import { registerClassesCommand } from './commands/classes';
import { registerEmbedCommand } from './commands/embed';
import { registerExplainCommand } from './commands/explain';
import { registerExportCommand } from './commands/export';
import { registerFiltersCommand } from './commands/filters';
import { registerImportCommand } from './commands/import';
import { registerModelsCommand } from './commands/models';
import { registerPredictCommand } from './commands/predict';
import { registerServeCommand } from './commands/serve';
import { registerStatsCommand } from './commands/stats';
import { registerTrainCommand } from './commands/train';

export function buildProgram(): Command {
  const program = new Command('transfer-studio')
    .description('Transfer Studio: import photos, label them, fine-tune a CNN, offline')
    .showHelpAfterError();
  registerImportCommand(program);
  registerClassesCommand(program);
  registerStatsCommand(program);
  registerServeCommand(program);
  registerEmbedCommand(program);
  registerModelsCommand(program);
  registerTrainCommand(program);
  registerPredictCommand(program);
  registerExportCommand(program);
  registerFiltersCommand(program);
  registerExplainCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
