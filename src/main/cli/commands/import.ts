/** `import <folder>`: adds a photo folder to the project (or rescans it) and reports the result. */
import { promises as fs } from 'node:fs';
import type { Command } from 'commander';
import type { ImportResult } from '../../../shared/dto';
import { AppError } from '../../../shared/errors';
import { addProjectOptions, failOnError, formatCounts, resolveUserPath, withClient, writeJsonLine, type ProjectOptions } from '../context';
import { barProgressReporter, jsonProgressReporter } from '../progress';

interface ImportOptions extends ProjectOptions {
  classesFromFolders?: boolean;
}

export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .description('add a photo folder to the project (recursively) and import its photos')
    .argument('<folder>', 'folder of photos')
    .option('--classes-from-folders', 'name classes after the folder above each photo (train/val/test split folders recognised)');
  addProjectOptions(command).action(failOnError(importAction));
}

async function importAction(folder: string, opts: ImportOptions): Promise<void> {
  const path = resolveUserPath(folder);
  await assertFolder(path);
  const reporter = opts.json ? jsonProgressReporter() : barProgressReporter();
  const result = await withClient(
    opts,
    async (client) => {
      const off = client.on('import:progress', (p) => reporter.update(p));
      try {
        return await client.invoke('folders:add', { path, classesFromFolders: opts.classesFromFolders === true });
      } finally {
        off();
        reporter.stop();
      }
    },
    { createProject: true }
  );
  if (opts.json) writeJsonLine({ type: 'result', ...result });
  else process.stdout.write(formatImportSummary(path, result));
}

/** A missing folder is the commonest mistake; say so before opening the project. */
async function assertFolder(path: string): Promise<void> {
  const stat = await fs.stat(path).catch(() => null);
  if (stat === null) throw new AppError('NOT_FOUND', `Folder does not exist: ${path}`);
  if (!stat.isDirectory()) throw new AppError('INVALID_REQUEST', `Not a folder: ${path}`);
}

export function formatImportSummary(path: string, r: ImportResult): string {
  const lines = [
    `Imported ${path} in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `  photos in project: ${r.photos} (added ${r.added}, removed ${r.removed}, updated ${r.updated}, moved ${r.moved}, duplicates ${r.duplicates})`,
    `  classes: ${formatCounts(r.classes)}`,
    `  splits:  ${formatCounts(r.splits)}`
  ];
  if (r.skipped.length > 0) {
    lines.push(`  skipped ${r.skipped.length} file${r.skipped.length === 1 ? '' : 's'}:`);
    for (const s of r.skipped) lines.push(`    ${s.path}: ${s.reason}`);
  }
  return lines.join('\n') + '\n';
}
