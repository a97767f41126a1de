/**
 * Where serve mode and the CLI find things when run from a source checkout under tsx: the
 * repository's resources/models, the user data folder (or one given on the command line) and
 * the project file. The Electron shell has its own (packaged paths).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { defaultProjectPath, defaultUserDataDir, type AppOptions } from '../services/app';

/** The repository root: this file lives in src/main/server. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** The built renderer that serve mode hands out. */
export const WEB_ROOT = join(REPO_ROOT, 'out/web');

export interface LocalAppSettings {
  /** Project file; the default project in the user data folder when absent. */
  project?: string;
  /** User data folder; the platform default when absent. */
  userData?: string;
  /** Folder of <id>/manifest.json instead of the repository's resources/models (development, tests). */
  modelsDir?: string;
  transport: AppOptions['transport'];
}

export function localAppOptions(settings: LocalAppSettings): AppOptions {
  const userData = settings.userData ? resolve(settings.userData) : defaultUserDataDir();
  return {
    projectPath: settings.project ? resolve(settings.project) : defaultProjectPath(userData),
    cacheDir: join(userData, 'cache'),
    transport: settings.transport,
    modelsDir: settings.modelsDir ? resolve(settings.modelsDir) : join(REPO_ROOT, 'resources/models'),
    userModelsDir: join(userData, 'models'),
    version: packageVersion()
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * `npm run …` changes into the package folder; INIT_CWD is where the user actually was, so
 * relative paths mean what they typed.
 */
export function resolveUserPath(p: string): string {
  return isAbsolute(p) ? p : resolve(process.env.INIT_CWD ?? process.cwd(), p);
}
