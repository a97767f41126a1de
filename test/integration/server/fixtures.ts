/** Real files for the transport tests: small JPEGs made by sharp, and a raw HTTP client. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/** Writes a solid-colour JPEG; different colours give different content hashes. */
export async function writeJpeg(path: string, rgb: [number, number, number], size = 32): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const buf = await sharp({ create: { width: size, height: size, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg()
    .toBuffer();
  writeFileSync(path, buf);
}

/** Next colour index; module-wide so trees written by one test file never share content. */
let nextShade = 0;

/**
 * A class folder tree: root/<class>/<n>.jpg, each photo a distinct colour, plus one text file
 * named .jpg that the import must skip.
 */
export async function writePhotoTree(root: string, classes: Record<string, number>): Promise<void> {
  for (const [name, count] of Object.entries(classes)) {
    for (let i = 0; i < count; i++) {
      const n = nextShade++;
      await writeJpeg(join(root, name, `photo ${i}.jpg`), [(n * 37) % 256, (n * 91 + 60) % 256, (n * 53 + 120) % 256]);
    }
  }
  writeFileSync(join(root, 'not-a-photo.jpg'), 'this is text, not a JPEG\n');
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  json(): unknown;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Sends `path` exactly as written (no URL normalisation, unlike fetch), so traversal attempts
 * and forged Host headers reach the server as an attacker would send them.
 */
export function rawRequest(port: number, path: string, init: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { Host: `127.0.0.1:${port}`, ...init.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text, json: () => JSON.parse(text) as unknown });
        });
      }
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** POST /api/invoke/:channel with the token and a JSON body. */
export function invokeOverHttp(port: number, token: string, channel: string, body: unknown): Promise<RawResponse> {
  return rawRequest(port, `/api/invoke/${channel}`, {
    method: 'POST',
    headers: { ...bearer(token), 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  });
}
