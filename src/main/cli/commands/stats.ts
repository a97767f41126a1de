/** `stats`: photo, label, class and split counts of the project. */
import type { Command } from 'commander';
import type { ProjectStats } from '../../../shared/dto';
import { addProjectOptions, failOnError, formatCounts, withClient, writeJsonLine, type ProjectOptions } from '../context';

export function registerStatsCommand(program: Command): void {
  const command = program.command('stats').description('count photos, labels, classes and splits in the project');
  addProjectOptions(command).action(failOnError(statsAction));
}

async function statsAction(opts: ProjectOptions): Promise<void> {
  const stats = await withClient(opts, (client) => client.invoke('stats:get'));
  if (opts.json) writeJsonLine({ type: 'result', ...stats });
  else process.stdout.write(formatStats(stats));
}

export function formatStats(s: ProjectStats): string {
  return (
    [
      `photos:    ${s.photos} (labeled ${s.labeled}, unlabeled ${s.unlabeled})`,
      `skipped:   ${s.skipped}`,
      `classes:   ${formatCounts(s.classes)}`,
      `splits:    ${formatCounts(s.splits)}`
    ].join('\n') + '\n'
  );
}
