/**
 * Entry of `npm run serve` (spawned by scripts/serve.mjs under tsx):
 *   main.ts [--project FILE] [--port N] [--json] [--user-data DIR] [--models-dir DIR]
 */
import { Command } from 'commander';
import { configureServeCommand } from './serve-command';

await configureServeCommand(new Command('serve')).parseAsync(process.argv);
