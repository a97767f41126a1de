/**
 * Serves the built renderer (out/web). A URL path is mapped onto that one folder only: every
 * segment is decoded and checked, and the real path (symlinks resolved) must stay inside it.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { extname, join, sep } from 'node:path';
import type { Writable } from 'node:stream';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8'
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

export interface StaticFile {
  path: string;
  size: number;
  contentType: string;
}

/**
 * Finds the file a URL pathname names under `root`, or null. `pathname` is the raw (still
 * percent-encoded) path of a parsed URL; "/" means index.html.
 */
export async function resolveStaticFile(root: string, pathname: string): Promise<StaticFile | null> {
  const segments = decodeSegments(pathname === '/' ? '/index.html' : pathname);
  if (segments === null) return null;
  const realRoot = await realpathOrNull(root);
  if (realRoot === null) return null;
  const realFile = await realpathOrNull(join(realRoot, ...segments));
  if (realFile === null || !realFile.startsWith(realRoot + sep)) return null;
  const stat = await fs.stat(realFile).catch(() => null);
  if (stat === null || !stat.isFile()) return null;
  return { path: realFile, size: stat.size, contentType: contentTypeFor(realFile) };
}

/** Decoded path segments, or null when any segment could step outside or hide a separator. */
export function decodeSegments(pathname: string): string[] | null {
  const raw = pathname.split('/').filter((s) => s.length > 0);
  const out: string[] = [];
  for (const part of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return null;
    }
    // Encoded slashes, backslashes, NULs and dot segments have no business in an asset path.
    if (decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded)) return null;
    // Hidden files (.env, .git) are never part of a Vite build.
    if (decoded.startsWith('.')) return null;
    out.push(decoded);
  }
  return out.length > 0 ? out : null;
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch {
    return null;
  }
}

/**
 * Streams the file into the response. A file that vanishes or fails between resolve and read
 * (a rebuild of out/web) ends that one response; it must not become an uncaught 'error' event
 * that takes the whole server down.
 */
export function pipeStaticFile(file: StaticFile, res: Writable & { destroy(error?: Error): unknown }): void {
  const stream = createReadStream(file.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
