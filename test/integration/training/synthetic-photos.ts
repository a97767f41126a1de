/**
 * A small synthetic photo set drawn with sharp: one shape per class (circle, square, triangle)
 * in the class's color family, at random places and sizes on noisy backgrounds, so a frozen
 * ImageNet base separates them but not trivially by a single pixel.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createRng, type Rng } from '../../../src/main/engine/trainer/rng';

export const SYNTHETIC_CLASSES = ['circles', 'squares', 'triangles'] as const;

function shapeSvg(kind: number, rng: Rng, size: number): string {
  const r = size * (0.18 + 0.15 * rng.next());
  const cx = r + rng.next() * (size - 2 * r);
  const cy = r + rng.next() * (size - 2 * r);
  const hue = [0, 120, 230][kind] + Math.round(rng.next() * 30 - 15);
  const fill = `hsl(${hue}, 80%, ${40 + Math.round(rng.next() * 20)}%)`;
  const bg = `hsl(${Math.round(rng.next() * 360)}, 15%, ${70 + Math.round(rng.next() * 20)}%)`;
  const shape =
    kind === 0
      ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"/>`
      : kind === 1
        ? `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${fill}"/>`
        : `<polygon points="${cx},${cy - r} ${cx - r},${cy + r} ${cx + r},${cy + r}" fill="${fill}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="${bg}"/>${shape}</svg>`;
}

/**
 * Writes `perClass` JPEGs per class under root/<split>/<class>/ (ImageFolder layout) when
 * `valPerClass` > 0, else root/<class>/. Returns the root.
 */
export async function drawSyntheticPhotos(
  root: string,
  opts: { perClass: number; valPerClass?: number; size?: number; seed?: number; unlabeled?: number }
): Promise<string> {
  const rng = createRng(opts.seed ?? 7);
  const size = opts.size ?? 96;
  const valPer = opts.valPerClass ?? 0;
  for (let kind = 0; kind < SYNTHETIC_CLASSES.length; kind++) {
    for (let i = 0; i < opts.perClass + valPer; i++) {
      const split = valPer === 0 ? '' : i < opts.perClass ? 'train' : 'val';
      const dir = path.join(root, split, SYNTHETIC_CLASSES[kind]);
      await mkdir(dir, { recursive: true });
      await writeShape(path.join(dir, `${SYNTHETIC_CLASSES[kind]}-${i}.jpg`), kind, rng, size);
    }
  }
  return root;
}

/** Unlabeled photos (any class) in a separate folder, for predictions. */
export async function drawUnlabeledPhotos(dir: string, count: number, seed = 99, size = 96): Promise<string> {
  const rng = createRng(seed);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++) await writeShape(path.join(dir, `photo-${i}.jpg`), i % 3, rng, size);
  return dir;
}

async function writeShape(file: string, kind: number, rng: Rng, size: number): Promise<void> {
  const noise = Buffer.alloc(size * size * 3);
  for (let p = 0; p < noise.length; p++) noise[p] = Math.floor(rng.next() * 40);
  const base = sharp(Buffer.from(shapeSvg(kind, rng, size))).removeAlpha();
  const noiseImg = await sharp(noise, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
  await base
    .composite([{ input: noiseImg, blend: 'overlay' }])
    .jpeg({ quality: 90 })
    .toFile(file);
}
