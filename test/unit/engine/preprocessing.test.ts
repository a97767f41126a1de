import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesToTensor, initBackend, loadImage, preprocessImages } from '../../../src/main/engine/index';

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(tmpdir(), 'engine-img-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preprocessing', () => {
  it('caffe mode flips RGB to BGR and subtracts the ImageNet BGR means', () => {
    const x = tf.tensor4d([10, 20, 30, 255, 0, 128], [1, 1, 2, 3]);
    const y = preprocessImages(x, 'caffe');
    const want = [30 - 103.939, 20 - 116.779, 10 - 123.68, 128 - 103.939, 0 - 116.779, 255 - 123.68];
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    tf.dispose([x, y]);
  });

  it('tf mode maps 0..255 to -1..1 and tm mode uses x/127-1', () => {
    const x = tf.tensor4d([0, 127.5, 255], [1, 1, 1, 3]);
    const [t, m] = [preprocessImages(x, 'tf'), preprocessImages(x, 'tm')];
    expect(Array.from(t.dataSync())).toEqual([-1, 0, 1]);
    Array.from(m.dataSync()).forEach((v, i) => expect(v).toBeCloseTo([-1, 127.5 / 127 - 1, 255 / 127 - 1][i], 5));
    tf.dispose([x, t, m]);
  });
});

describe('image pipeline', () => {
  it('resizes the shorter side and center-crops (left/right thirds cut from a wide image)', async () => {
    // 300×100: red | green | blue vertical thirds → the center crop is all green.
    const width = 300;
    const raw = Buffer.alloc(width * 100 * 3);
    for (let y = 0; y < 100; y++) for (let x = 0; x < width; x++) raw[(y * width + x) * 3 + Math.floor(x / 100)] = 255;
    const file = path.join(dir, 'wide.png');
    await sharp(raw, { raw: { width, height: 100, channels: 3 } })
      .png()
      .toFile(file);
    const px = await loadImage(file, 50);
    expect(px.length).toBe(50 * 50 * 3);
    // Away from the crop edges (where the resampling kernel reaches the next third) it is pure green.
    for (let y = 0; y < 50; y++) {
      for (let x = 3; x < 47; x++) {
        const p = (y * 50 + x) * 3;
        expect([px[p], px[p + 1], px[p + 2]]).toEqual([0, 255, 0]);
      }
    }
  });

  it('applies EXIF rotation', async () => {
    // 40×20 landscape stored with orientation 6 (rotate 90° CW) displays as 20×40 portrait:
    // top half of the left column becomes the top-right… we check the decoded crop's source colour.
    const raw = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 40; x++) raw[(y * 40 + x) * 3] = x < 20 ? 255 : 0;
    const file = path.join(dir, 'rotated.jpg');
    await sharp(raw, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 100 })
      .withMetadata({ orientation: 6 })
      .toFile(file);
    const px = await loadImage(file, 20);
    // After rotating 90° CW the red left half becomes the top half; the center crop keeps rows 10..29 of 40.
    const top = px[(2 * 20 + 10) * 3];
    const bottom = px[(17 * 20 + 10) * 3];
    expect(top).toBeGreaterThan(200);
    expect(bottom).toBeLessThan(50);
  });

  it('uses an image already at the input size as is, without resampling', async () => {
    const next = (i: number): number => (i * 37) % 256;
    const raw = Buffer.from(Array.from({ length: 8 * 8 * 3 }, (_, i) => next(i)));
    const file = path.join(dir, 'exact.png');
    await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
      .png()
      .toFile(file);
    expect(Buffer.from(await loadImage(file, 8)).equals(raw)).toBe(true);
  });

  it('stacks images into a float32 0..255 tensor', () => {
    const t = imagesToTensor([new Uint8Array([0, 128, 255]), new Uint8Array([1, 2, 3])], 1);
    expect(t.shape).toEqual([2, 1, 1, 3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.dataSync())).toEqual([0, 128, 255, 1, 2, 3]);
    t.dispose();
  });
});
