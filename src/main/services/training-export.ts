/** Export of a run: its model folder and a CSV of its predictions. */
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { predictionsForExport } from '../db/training-prediction-repository';
import type { RunRecord } from '../db/training-repository';

export function requireModel(run: RunRecord): string {
  if (!run.modelPath) throw new AppError('NOT_FOUND', `Run ${run.id} has no saved model (status ${run.status}).`);
  return run.modelPath;
}

/**
 * Writes `<outDir>/model/` (the TF.js folder with labels and preprocessing) and `<outDir>/predictions.csv`.
 * A folder that already holds something is written into only with `replace` (the person said so):
 * then those two are replaced and everything else there is left alone. Folders are made with the
 * permissions the user's umask gives, like any other program's (the run's own model folder is
 * private, and copying it as a whole would carry that over).
 */
export async function exportRun(
  db: Database,
  run: RunRecord,
  outDir: string,
  opts: { replace?: boolean } = {}
): Promise<{ modelDir: string; csvPath: string; predictions: number }> {
  const source = requireModel(run);
  const out = path.resolve(outDir);
  const modelDir = path.join(out, 'model');
  const csvPath = path.join(out, 'predictions.csv');
  await checkOutputFolder(out, run.id, opts.replace ?? false);
  const names = new Map(run.classes.map((c) => [c.id, c.name] as const));
  const rows = predictionsForExport(db, run.id);
  try {
    await rm(modelDir, { recursive: true, force: true });
    await mkdir(modelDir, { recursive: true });
    // Into the folder made above, so it keeps its umask permissions rather than the source's.
    await cp(source, modelDir, { recursive: true });
    const header = ['photo_id', 'path', 'predicted_class', 'confidence', ...run.classes.map((c) => `p_${c.name}`)];
    const lines = rows.map((r) =>
      [r.photoId, r.path, names.get(r.classId) ?? '', r.confidence.toFixed(6), ...r.probs.map((p) => p.toFixed(6))].map(csvCell).join(',')
    );
    await writeFile(csvPath, [header.map(csvCell).join(','), ...lines].join('\n') + '\n');
  } catch (err) {
    throw exportError(err, run.id, out);
  }
  return { modelDir, csvPath, predictions: rows.length };
}

/** Refuses a file, and a folder with something in it unless replacing was allowed. */
async function checkOutputFolder(out: string, runId: number, replace: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw exportError(err, runId, out);
  }
  if (entries.length === 0 || replace) return;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  throw new AppError(
    'CONFLICT',
    `The folder ${out} is not empty (${shown}). Choose an empty or new folder, or replace: that writes model/ and predictions.csv there and leaves everything else alone.`
  );
}

/** Turns a file-system failure into a message that says what to do, not Node's errno text. */
function exportError(err: unknown, runId: number, out: string): AppError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return new AppError(
      'INVALID_REQUEST',
      `Cannot export run ${runId} to ${out}: that path (or a folder above it) is a file, not a folder. Choose a folder.`
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AppError(
      'IO_ERROR',
      `Cannot export run ${runId} to ${out}: no permission to write there. Choose a folder you can write to.`
    );
  }
  if (code === 'ENOSPC') return new AppError('IO_ERROR', `Cannot export run ${runId} to ${out}: the disk is full.`);
  return new AppError('IO_ERROR', `Could not export run ${runId} to ${out}: ${(err as Error).message}`);
}

function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
