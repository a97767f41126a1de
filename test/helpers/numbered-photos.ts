/**
 * Many small distinct JPEGs, fast: each 32×32 photo spells its running number in 4×4 blocks, so
 * no two share a hash (the import keeps exact duplicates out).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

let made = 0;

export async function writeNumberedPhotos(root: string, count: number, prefix = 'p'): Promise<string[]> {
  mkdirSync(root, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = made++;
    const pixels = Buffer.alloc(32 * 32 * 3);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const bit = (n >> (((y >> 2) * 8 + (x >> 2)) % 24)) & 1;
        pixels.fill(bit ? 230 : 20 + ((x * y + process.pid) % 7), (y * 32 + x) * 3, (y * 32 + x + 1) * 3);
      }
    }
    const file = path.join(root, `${prefix}${String(i).padStart(5, '0')}.jpg`);
    await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(file);
    files.push(file);
  }
  return files;
}
