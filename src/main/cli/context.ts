/**
 * What every CLI command shares: opening the project through the same services as the other
 * transports (a direct client), resolving paths the way the user typed them, and turning any
 * failure into one line on stderr and exit code 1.
 */
import type { Command } from 'commander';
import type { ApiClient } from '../../shared/contract';
import { toErrorPayload } from '../../shared/errors';
import { createApp, createDirectClient } from '../services/app';
import { localAppOptions, resolveUserPath } from '../server/app-options';

export { resolveUserPath };

/** Options every project command accepts. */
export interface ProjectOptions {
  project?: string;
  userData?: string;
  json?: boolean;
}

/**
 * Opens the project, runs `work` with a client, and always closes the database. A `--project`
 * file must exist unless `createProject` is set (import): `stats --project tpyo.tstudio` should
 * say the file is missing, not create an empty project and report zeros.
 */
export async function withClient<T>(
  opts: ProjectOptions,
  work: (client: ApiClient) => Promise<T>,
  { createProject = false }: { createProject?: boolean } = {}
): Promise<T> {
  const app = createApp({
    ...localAppOptions({
      project: opts.project === undefined ? undefined : resolveUserPath(opts.project),
      userData: opts.userData === undefined ? undefined : resolveUserPath(opts.userData),
      transport: 'direct'
    }),
    openMode: createProject || opts.project === undefined ? 'open-or-create' : 'open',
    rescanOnOpen: false
  });
  try {
    return await work(createDirectClient(app));
  } finally {
    app.close();
  }
}

/** Wraps a command action: any error becomes `error: message` on stderr and exit code 1. */
export function failOnError<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      process.stderr.write(`error: ${oneLine(toErrorPayload(err).message)}\n`);
      process.exitCode = 1;
    }
  };
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

/** One JSON object per stdout line: the --json protocol. */
export function writeJsonLine(value: object): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function addProjectOptions(command: Command): Command {
  return command
    .option('--project <file>', 'project file (default: the default project in the user data folder)')
    .option('--user-data <dir>', 'user data folder (cache, models, default project)')
    .option('--json', 'print JSON lines on stdout (progress, then one result)');
}

/** "a 3, b 4" from a name → count map; "none" when empty. */
export function formatCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([name, n]) => `${name} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}
