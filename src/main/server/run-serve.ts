/**
 * Starts serve mode for a project and keeps it running until SIGINT/SIGTERM. Stdout carries
 * exactly one line (the URL, or a JSON "listening" object); everything else goes to stderr.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, type App } from '../services/app';
import { localAppOptions, resolveUserPath, WEB_ROOT } from './app-options';
import { startServeServer, type ServeServer } from './http-server';

export interface RunServeOptions {
  project?: string;
  userData?: string;
  /** Folder of <id>/manifest.json instead of resources/models (development, tests). */
  modelsDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Print the listening line as JSON. */
  json?: boolean;
  webRoot?: string;
}

export interface RunningServe {
  app: App;
  server: ServeServer;
  /** Closes the server and the project database; idempotent. */
  stop(): Promise<void>;
}

export async function runServe(options: RunServeOptions): Promise<RunningServe> {
  const webRoot = options.webRoot ?? WEB_ROOT;
  if (!existsSync(join(webRoot, 'index.html'))) {
    process.stderr.write(`warning: ${webRoot} has no built renderer; run \`npm run build:web\` (the API still works)\n`);
  }
  const app = createApp(
    localAppOptions({
      project: options.project === undefined ? undefined : resolveUserPath(options.project),
      userData: options.userData === undefined ? undefined : resolveUserPath(options.userData),
      modelsDir: options.modelsDir === undefined ? undefined : resolveUserPath(options.modelsDir),
      transport: 'http'
    })
  );
  let server: ServeServer;
  try {
    server = await startServeServer(app, { port: options.port ?? 0, webRoot });
  } catch (err) {
    app.close();
    throw err;
  }
  process.stdout.write(listeningLine(server, options.json === true) + '\n');
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= server.close().finally(() => app.close());
    return stopping;
  };
  return { app, server, stop };
}

export function listeningLine(server: ServeServer, json: boolean): string {
  if (!json) return `Serving on ${server.url}`;
  return JSON.stringify({ type: 'listening', url: server.url, port: server.port, token: server.token });
}

/** A stop that hangs (a stuck request, a busy import) must not keep the port forever. */
const FORCED_EXIT_MS = 5000;

/**
 * Stops cleanly on SIGINT/SIGTERM. Repeats are ignored: Ctrl+C reaches both scripts/serve.mjs
 * and this process, and serve.mjs forwards it once more.
 */
export function stopOnSignals(running: RunningServe): void {
  let signalled = false;
  const onSignal = (): void => {
    if (signalled) return;
    signalled = true;
    setTimeout(() => {
      process.stderr.write('serve: forced exit after a slow shutdown\n');
      process.exit(1);
    }, FORCED_EXIT_MS).unref();
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`serve: error while stopping: ${String(err)}\n`);
        process.exit(1);
      }
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}
