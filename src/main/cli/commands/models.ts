/** `models list` and `models fetch <id>`: which backbones are ready, and downloading weights. */
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import type { BackboneStatus } from '../../../shared/dto';
import path from 'node:path';
import { adoptPartialDownload, fetchWeights, partialDownloadBytes } from '../../engine/fetch-weights';
import { findManifest, readManifests, type ModelManifest } from '../../engine/manifests';
import { backboneStatus } from '../../services/models';
import { localAppOptions, REPO_ROOT } from '../../server/app-options';
import { failOnError, writeJsonLine } from '../context';

interface ModelsOptions {
  modelsDir?: string;
  userData?: string;
  json?: boolean;
}

interface FetchCliOptions extends ModelsOptions {
  url?: string;
  timeout?: string;
}

function modelDirs(opts: ModelsOptions): { modelsDir: string; userModelsDir: string } {
  const local = localAppOptions({ userData: opts.userData, transport: 'direct' });
  return {
    modelsDir: opts.modelsDir ? path.resolve(opts.modelsDir) : path.join(REPO_ROOT, 'resources/models'),
    userModelsDir: local.userModelsDir
  };
}

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('pretrained backbones: list and fetch weights');
  models
    .command('list')
    .description('show backbones and whether their weights are present')
    .option('--models-dir <dir>', 'folder of <id>/manifest.json (default resources/models)')
    .option('--user-data <dir>', 'user data folder (imported weights)')
    .option('--json', 'one JSON object per line')
    .action(
      failOnError(async (opts: ModelsOptions) => {
        const dirs = modelDirs(opts);
        for (const m of readManifests(dirs.modelsDir)) {
          const s = backboneStatus(m, dirs);
          if (opts.json) writeJsonLine({ type: 'backbone', ...s });
          else process.stdout.write(`${s.ready ? '✓' : '·'} ${s.id.padEnd(18)} ${s.displayName}${statusNote(s, m, dirs.modelsDir)}\n`);
        }
      })
    );
  models
    .command('fetch')
    .description("download a backbone's weights beside its manifest (resumes; checks md5)")
    .argument('<id>', 'backbone id, e.g. vgg16')
    .option('--models-dir <dir>', 'folder of <id>/manifest.json (default resources/models)')
    .option('--user-data <dir>', "user data folder (where the app's own downloads are resumed from)")
    .option('--url <url>', "download from this URL instead of the manifest's (mirror)")
    .option('--timeout <ms>', 'give up when no data comes for this many ms', '15000')
    .option('--json', 'one JSON object per line')
    .action(failOnError((id: string, opts: FetchCliOptions) => fetchAction(id, opts)));
}

/**
 * The weights' path when ready; else what a cut-off download left: the app's (its Resume button
 * or `models fetch` continues it) or this command's own, beside the manifest.
 */
function statusNote(s: BackboneStatus, manifest: ModelManifest, modelsDir: string): string {
  if (s.ready) return `  ${s.weightsPath}`;
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  const of = s.sizeBytes ? ` of ${mb(s.sizeBytes)}` : '';
  if (s.partialBytes !== null)
    return `  (${mb(s.partialBytes)}${of} MB downloaded in the app: Train › Advanced or "models fetch ${s.id}" resumes it)`;
  const own = partialDownloadBytes(manifest, path.join(modelsDir, manifest.id));
  return own === null ? '' : `  (${mb(own)}${of} MB downloaded: "models fetch ${s.id}" resumes it)`;
}

async function fetchAction(id: string, opts: FetchCliOptions): Promise<void> {
  const { modelsDir, userModelsDir } = modelDirs(opts);
  const manifest = findManifest(modelsDir, id);
  if (manifest.bundled) {
    const file = path.join(modelsDir, manifest.id, manifest.file);
    if (opts.json) writeJsonLine({ type: 'result', id: manifest.id, path: file, bundled: true });
    else process.stdout.write(`${manifest.displayName} ships with the app (${file}); nothing to download.\n`);
    return;
  }
  const bar = opts.json
    ? null
    : new SingleBar({ format: `${manifest.id} [{bar}] {percentage}% {value}/{total} bytes`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  const targetDir = path.join(modelsDir, manifest.id);
  // What a cut-off download in the app left is continued here, not fetched again.
  const adopted = adoptPartialDownload(manifest, path.join(userModelsDir, manifest.id), targetDir);
  if (adopted !== null) {
    if (opts.json) writeJsonLine({ type: 'resumed', id: manifest.id, bytes: adopted });
    else process.stdout.write(`Continuing the download the app left (${Math.round(adopted / 1e6)} MB).\n`);
  }
  const file = await fetchWeights(manifest, {
    targetDir,
    url: opts.url,
    timeoutMs: Number(opts.timeout ?? 15000),
    onProgress: ({ received, total }) => {
      if (!bar) return;
      if (!started) bar.start(total ?? 0, received);
      started = true;
      bar.update(received);
    }
  }).finally(() => bar?.stop());
  if (opts.json) writeJsonLine({ type: 'result', id: manifest.id, path: file });
  else process.stdout.write(`saved ${file}\n`);
}
