/**
 * Photos whose class is a coloured square in one quadrant, drawn with sharp: a red or a blue
 * square (the class) in a random quadrant, a green square (in every photo, so it tells nothing)
 * in another, on a noisy light background. A model that learned the classes must look at the
 * class square, wherever it is, and not at the green one.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createRng, type Rng } from '../../../src/main/engine/trainer/rng';

export const QUADRANT_CLASSES = ['red', 'blue'] as const;
const HUES = [0, 225];
const DISTRACTOR_HUE = 120;

/** 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right. */
export type Quadrant = 0 | 1 | 2 | 3;

export interface QuadrantPhoto {
  path: string;
  classIndex: number;
  quadrant: Quadrant;
  split: 'train' | 'val' | 'test';
}

function square(q: Quadrant, hue: number, rng: Rng, size: number): string {
  const half = size / 2;
  const side = half * (0.55 + 0.2 * rng.next());
  const x = (q % 2) * half + (half - side) * (0.15 + 0.7 * rng.next());
  const y = Math.floor(q / 2) * half + (half - side) * (0.15 + 0.7 * rng.next());
  const fill = `hsl(${hue + Math.round(rng.next() * 16 - 8)}, 85%, ${42 + Math.round(rng.next() * 12)}%)`;
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${side.toFixed(1)}" height="${side.toFixed(1)}" fill="${fill}"/>`;
}

async function drawPhoto(file: string, classIndex: number, quadrant: Quadrant, rng: Rng, size: number): Promise<void> {
  const others = ([0, 1, 2, 3] as Quadrant[]).filter((q) => q !== quadrant);
  const distractor = others[rng.int(others.length)];
  const bg = `hsl(${Math.round(rng.next() * 360)}, 10%, ${72 + Math.round(rng.next() * 16)}%)`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><rect width="100%" height="100%" fill="${bg}"/>` +
    `${square(quadrant, HUES[classIndex], rng, size)}${square(distractor, DISTRACTOR_HUE, rng, size)}</svg>`;
  const noise = Buffer.alloc(size * size * 3);
  for (let p = 0; p < noise.length; p++) noise[p] = Math.floor(rng.next() * 48);
  const noiseImg = await sharp(noise, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
  await sharp(Buffer.from(svg))
    .removeAlpha()
    .composite([{ input: noiseImg, blend: 'overlay' }])
    .jpeg({ quality: 92 })
    .toFile(file);
}

/**
 * Writes root/<split>/<class>/<class>-<i>-q<quadrant>.jpg: `perClass` train and `valPerClass`
 * val photos per class (quadrants cycling), plus one test photo per class and quadrant.
 */
export async function drawQuadrantPhotos(
  root: string,
  opts: { perClass: number; valPerClass: number; size?: number; seed?: number }
): Promise<QuadrantPhoto[]> {
  const rng = createRng(opts.seed ?? 11);
  const size = opts.size ?? 128;
  const photos: QuadrantPhoto[] = [];
  const counts = { train: opts.perClass, val: opts.valPerClass, test: 4 };
  for (const split of ['train', 'val', 'test'] as const) {
    for (const [classIndex, name] of QUADRANT_CLASSES.entries()) {
      const dir = path.join(root, split, name);
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < counts[split]; i++) {
        const quadrant = ((i + classIndex) % 4) as Quadrant;
        const file = path.join(dir, `${name}-${i}-q${quadrant}.jpg`);
        await drawPhoto(file, classIndex, quadrant, rng, size);
        photos.push({ path: file, classIndex, quadrant, split });
      }
    }
  }
  return photos;
}

/** The quadrant of the map cell (row, col) in an h×w map; null for a middle row or column of an odd map. */
export function quadrantOfCell(row: number, col: number, height: number, width: number): Quadrant | null {
  const middleRow = height % 2 === 1 && row === (height - 1) / 2;
  const middleCol = width % 2 === 1 && col === (width - 1) / 2;
  if (middleRow || middleCol) return null;
  return ((row < height / 2 ? 0 : 2) + (col < width / 2 ? 0 : 1)) as Quadrant;
}

/** Row and column of the largest value of a row-major map. */
export function peakCell(cam: ArrayLike<number>, width: number): { row: number; col: number } {
  let best = 0;
  for (let i = 1; i < cam.length; i++) if (cam[i] > cam[best]) best = i;
  return { row: Math.floor(best / width), col: best % width };
}
