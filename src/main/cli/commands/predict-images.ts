/**
 * `predict IMAGE...`: the model's top classes for image files (any file, in the project or
 * not), as Try a photo shows them. One line per image (JSON with --json), then a result line.
 * An image that cannot be read is reported and skipped; the exit code is 1 once the others are done.
 */
import type { ApiClient } from '../../../shared/contract';
import type { ClassScore } from '../../../shared/explain-dto';
import { AppError } from '../../../shared/errors';
import { resolveUserPath, writeJsonLine } from '../context';

/** Classes printed per image in text mode. */
const TEXT_TOP = 3;

export async function predictImages(client: ApiClient, images: string[], runId: number | undefined, json: boolean): Promise<void> {
  let failed = 0;
  let usedRun: number | null = null;
  for (const image of images) {
    const file = resolveUserPath(image);
    try {
      const e = await client.invoke('explain:photo', { runId, path: file });
      usedRun = e.runId;
      report(file, e.top, json);
    } catch (err) {
      // A bad image is one line; no model or no run stops everything (the same for every image).
      if (!(err instanceof AppError) || (err.code !== 'IO_ERROR' && !(err.code === 'NOT_FOUND' && err.message.includes(file)))) throw err;
      failed++;
      if (json) writeJsonLine({ type: 'skipped', path: file, reason: err.message });
      else process.stderr.write(`${file}: skipped (${err.message})\n`);
    }
  }
  if (json) writeJsonLine({ type: 'result', runId: usedRun, images: images.length, predicted: images.length - failed, failed });
  if (failed > 0) {
    process.stderr.write(`error: ${failed} image(s) could not be read${failed < images.length ? '; the others were predicted' : ''}.\n`);
    process.exitCode = 1;
  }
}

function report(file: string, top: ClassScore[], json: boolean): void {
  if (json) {
    writeJsonLine({ type: 'prediction', path: file, predicted: top[0].className, confidence: top[0].confidence, top });
    return;
  }
  const classes = top
    .slice(0, TEXT_TOP)
    .map((t) => `${t.className} ${(t.confidence * 100).toFixed(1)}%`)
    .join(', ');
  process.stdout.write(`${file}: ${classes}\n`);
}
