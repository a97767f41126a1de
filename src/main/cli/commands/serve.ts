/** `serve`: the same as `npm run serve`, minus the renderer build (run `npm run build:web`). */
import type { Command } from 'commander';
import { configureServeCommand } from '../../server/serve-command';

export function registerServeCommand(program: Command): void {
  configureServeCommand(program.command('serve'));
}
