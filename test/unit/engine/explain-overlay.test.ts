/** Drawing a Grad-CAM map: upsampling aligned with the crop, the colour map, and the PNGs. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { jet, renderHeatmapPng, renderOverlayPng, upsampleCam } from '../../../src/main/engine/explain/overlay';

describe('Grad-CAM drawing', () => {
  it('upsamples with cell centres aligned: a hot top-right cell of a 2×2 map stays in the top-right quadrant', () => {
    const heat = upsampleCam(new Float32Array([0, 4, 0, 0]), 2, 2, 8);
    expect(Math.max(...heat)).toBe(1);
    // Pixel (1, 6) lies inside the hot cell's half; (6, 1) in the cold opposite quadrant.
    expect(heat[1 * 8 + 6]).toBe(1);
    expect(heat[6 * 8 + 1]).toBe(0);
    // Linear between the two top cell centres (x = 1.5 and 5.5 px): symmetric pixels sum to the hot value.
    expect(heat[1 * 8 + 3] + heat[1 * 8 + 4]).toBeCloseTo(1, 5);
    expect(heat[1 * 8 + 3]).toBeCloseTo(0.375, 5);
    expect(upsampleCam(new Float32Array(4), 2, 2, 8).every((v) => v === 0)).toBe(true);
  });

  it('colours cold blue and hot red', () => {
    expect(jet(0)).toEqual([0, 0, 128]);
    expect(jet(1)).toEqual([128, 0, 0]);
    expect(jet(0.5)).toEqual([128, 255, 128]);
  });

  it('blends the heat over the photo, and draws it alone with transparency', async () => {
    const size = 16;
    const grey = new Uint8Array(size * size * 3).fill(100);
    const cam = new Float32Array([1, 0, 0, 0]);
    const { data, info } = await sharp(await renderOverlayPng(grey, size, cam, 2, 2))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info).toMatchObject({ width: size, height: size, channels: 3 });
    const pixel = (x: number, y: number) => Array.from(data.subarray((y * size + x) * 3, (y * size + x) * 3 + 3));
    expect(pixel(0, 0)[0]).toBeGreaterThan(pixel(0, 0)[2]); // hot corner: red over the grey
    expect(pixel(15, 15)[2]).toBeGreaterThan(pixel(15, 15)[0]); // cold corner: a blue tint
    const heat = await sharp(await renderHeatmapPng(cam, 2, 2, size))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(heat.info.channels).toBe(4);
    expect(heat.data[3]).toBeGreaterThan(heat.data[(size * size - 1) * 4 + 3]); // hot is more opaque
  });
});
