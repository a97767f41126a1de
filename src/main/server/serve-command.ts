/** The serve options and action, shared by the serve entry point and the CLI's `serve` alias. */
import { type Command, InvalidArgumentError } from 'commander';
import { toErrorPayload } from '../../shared/errors';
import { runServe, stopOnSignals, type RunServeOptions } from './run-serve';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return port;
}

/** Adds the serve options and action to a command. */
export function configureServeCommand(command: Command): Command {
  return command
    .description('serve the UI and API on 127.0.0.1 behind a token')
    .option('--project <file>', 'project file (default: the default project in the user data folder)')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 = a free one)', parsePort, 0)
    .option('--json', 'print the listening line as JSON')
    .option('--user-data <dir>', 'user data folder (cache, models, default project)')
    .option('--models-dir <dir>', 'folder of <id>/manifest.json instead of resources/models (development, tests)')
    .action((opts: RunServeOptions) => serveFromOptions(opts));
}

export async function serveFromOptions(opts: RunServeOptions): Promise<void> {
  try {
    stopOnSignals(await runServe(opts));
  } catch (err) {
    process.stderr.write(`Could not start serve mode: ${toErrorPayload(err).message}\n`);
    process.exit(1);
  }
}
