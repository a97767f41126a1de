import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { readFile } from 'node:fs/promises';
import { loadImage } from './src/main/engine/image';
const dirs = ['train/ants','train/bees'].map(d => path.join('/work/shared/datasets/hymenoptera', d));
const files = dirs.flatMap(d => readdirSync(d).filter(f=>/\.jpe?g$/i.test(f)).sort().map(f=>path.join(d,f))).slice(0, 64);
async function bench(name: string, fn: (f: string) => Promise<unknown>) {
  for (const f of files.slice(0, 8)) await fn(f);
  const c = process.cpuUsage(); const t = performance.now();
  for (const f of files) await fn(f);
  const cu = process.cpuUsage(c);
  console.log(name.padEnd(36), ((cu.user + cu.system) / 1000 / files.length).toFixed(2), 'ms cpu/photo', ((performance.now() - t) / files.length).toFixed(2), 'ms wall');
}
await bench('loadImage @224 (lanczos3)', (f) => loadImage(f, 224));
await bench('loadImage @320 (lanczos3)', (f) => loadImage(f, 320));
for (const kernel of ['linear', 'cubic', 'mitchell', 'lanczos2'] as const) {
  await bench(`@224 ${kernel}`, async (f) => sharp(await readFile(f)).rotate().resize(224, 224, { fit: 'cover', kernel }).removeAlpha().toColourspace('srgb').raw().toBuffer());
}
await bench('@224 linear no toColourspace', async (f) => sharp(await readFile(f)).rotate().resize(224, 224, { fit: 'cover', kernel: 'linear' }).removeAlpha().raw().toBuffer());
await bench('decode only (raw full size)', async (f) => sharp(await readFile(f)).raw().toBuffer());
await bench('metadata only', async (f) => sharp(await readFile(f)).metadata());
console.log(sharp.versions, sharp.concurrency(), sharp.simd());
