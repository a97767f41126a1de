/** `classes`: lists the project's classes with their labeled photo counts. */
import type { Command } from 'commander';
import type { ClassDto } from '../../../shared/dto';
import { addProjectOptions, failOnError, withClient, writeJsonLine, type ProjectOptions } from '../context';

export function registerClassesCommand(program: Command): void {
  const command = program.command('classes').description("list the project's classes and how many photos each has");
  addProjectOptions(command).action(failOnError(classesAction));
}

async function classesAction(opts: ProjectOptions): Promise<void> {
  const classes = await withClient(opts, (client) => client.invoke('classes:list'));
  if (opts.json) {
    writeJsonLine({ type: 'result', classes });
    return;
  }
  process.stdout.write(formatClassTable(classes));
}

export function formatClassTable(classes: ClassDto[]): string {
  if (classes.length === 0) return 'No classes yet.\n';
  const width = Math.max(5, ...classes.map((c) => c.name.length));
  const lines = [`${'class'.padEnd(width)}  photos  key  color`];
  for (const c of classes) {
    lines.push(`${c.name.padEnd(width)}  ${String(c.count).padStart(6)}  ${(c.hotkey ?? '-').padEnd(3)}  ${c.color}`);
  }
  return lines.join('\n') + '\n';
}
