/**
 * An in-process serve-mode server over a real App (temp SQLite project, temp cache) and a small
 * built-renderer folder, with a secret file beside it that must never be served.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App } from '../../../src/main/services/app';
import { startServeServer, type ServeServer } from '../../../src/main/server/http-server';
import { REPO_ROOT } from '../../helpers/serve';

export const SECRET = 'TOP-SECRET-CONTENT-8c1f';

export interface TestServer {
  dir: string;
  app: App;
  server: ServeServer;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startTestServer(options: { heartbeatMs?: number } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tstudio-server-'));
  const webRoot = join(dir, 'web');
  mkdirSync(join(webRoot, 'assets'), { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>t</title><script type="module" src="./assets/app.js"></script>');
  writeFileSync(join(webRoot, 'assets/app.js'), 'console.log("app");\n');
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  writeFileSync(join(webRoot, '.env'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(webRoot, 'assets/link.txt'));
  const app = createApp({
    projectPath: join(dir, 'project.tstudio'),
    cacheDir: join(dir, 'cache'),
    transport: 'http',
    modelsDir: join(REPO_ROOT, 'resources/models'),
    userModelsDir: join(dir, 'models')
  });
  const server = await startServeServer(app, { port: 0, webRoot, heartbeatMs: options.heartbeatMs });
  return {
    dir,
    app,
    server,
    port: server.port,
    token: server.token,
    async close() {
      await server.close();
      app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
