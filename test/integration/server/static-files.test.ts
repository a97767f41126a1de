/**
 * A built asset that disappears between lookup and read (out/web rebuilt while serving) ends
 * that one response; before, the read stream's 'error' had no listener and killed the server.
 */
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { pipeStaticFile, resolveStaticFile } from '../../../src/main/server/static-files';

let server: Server | null = null;
let dir: string | null = null;
afterEach(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a file removed after it was resolved aborts only its response, and the server keeps serving', async () => {
  dir = mkdtempSync(join(tmpdir(), 'tstudio-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  const root = dir;
  server = createServer((req, res) => {
    void (async () => {
      const file = await resolveStaticFile(root, req.url ?? '/');
      if (file === null) return void res.writeHead(404).end();
      if (req.url === '/app.js') rmSync(file.path);
      res.writeHead(200, { 'Content-Length': file.size });
      pipeStaticFile(file, res);
    })();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const fetchStatus = (path: string): Promise<string> =>
    new Promise((resolve) => {
      get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${body}`));
        res.on('error', () => resolve('aborted'));
      }).on('error', () => resolve('aborted'));
    });
  expect(await fetchStatus('/app.js')).toBe('aborted');
  expect(await fetchStatus('/index.html')).toBe('200 <!doctype html>');
});
