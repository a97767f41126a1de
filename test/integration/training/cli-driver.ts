/**
 * Runs the training commands the way `npm run cli` will once src/main/cli/index.ts registers
 * them, without depending on that file: the same commander setup, only with our commands.
 */
import { Command } from 'commander';
import { registerImportCommand } from '../../../src/main/cli/commands/import';
import { registerExportCommand } from '../../../src/main/cli/commands/export';
import { registerPredictCommand } from '../../../src/main/cli/commands/predict';
import { registerTrainCommand } from '../../../src/main/cli/commands/train';

const program = new Command('transfer-studio').showHelpAfterError();
registerImportCommand(program);
registerTrainCommand(program);
registerPredictCommand(program);
registerExportCommand(program);
await program.parseAsync(process.argv);
