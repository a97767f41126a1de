/**
 * The libjpeg-turbo thumbnail path against sharp's, on real photos (hymenoptera, scaled to the
 * sizes people import): the same size, orientation and picture; the JPEGs it must leave to sharp
 * (CMYK, ICC-tagged, large, truncated) still get a right thumbnail; and with the binding turned
 * off every thumbnail comes from sharp.
 */
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { probePhoto } from '../../../src/main/imaging/decode-photo';
import { jpegTurboStatus, TURBO_MAX_PIXELS, turboThumbnail } from '../../../src/main/imaging/jpeg-turbo-thumbnail';
import { renderThumbnail, THUMBNAIL_SIZE } from '../../../src/main/imaging/thumbnail-render';
import { realPhoto } from '../../helpers/real-jpeg';

/** What sharp alone makes of the photo: the reference picture. */
async function sharpThumbnail(bytes: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function pixels(jpeg: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference per channel value, 0–255. */
function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

async function expectSamePicture(thumb: Buffer, source: Buffer): Promise<void> {
  const [got, want] = await Promise.all([pixels(thumb), sharpThumbnail(source)]);
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  // JPEG at q80 and a different resampling filter differ by a few levels; a wrong channel order,
  // a mirrored or rotated picture differs by tens.
  expect(meanDifference(got.data, want.data)).toBeLessThan(6);
}

async function fastThumbnail(bytes: Buffer): Promise<Buffer | null> {
  const header = await probePhoto(bytes);
  if (!header.jpeg) throw new Error('not probed as a JPEG');
  return turboThumbnail(bytes, header.jpeg, THUMBNAIL_SIZE, 80);
}

describe('JPEG thumbnails through libjpeg-turbo', () => {
  it('loads the prebuilt binding on this machine', () => {
    expect(jpegTurboStatus()).toEqual({ available: true, reason: null });
  });

  it('makes a 256×192 thumbnail of a 1024×768 photo that looks like sharp’s', async () => {
    const photo = await realPhoto(1024, 768);
    const thumb = await fastThumbnail(photo);
    expect(thumb).not.toBeNull();
    await expectSamePicture(thumb as Buffer, photo);
  });

  it('scales by a factor that is not whole (1000×750 → 256×192) and keeps a portrait photo upright', async () => {
    for (const [w, h] of [
      [1000, 750],
      [600, 900]
    ]) {
      const photo = await realPhoto(w, h);
      const thumb = await fastThumbnail(photo);
      expect(thumb).not.toBeNull();
      await expectSamePicture(thumb as Buffer, photo);
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('applies EXIF orientation %i as sharp does', async (orientation) => {
    const photo = await realPhoto(800, 600, { orientation });
    expect(await sharp(photo).metadata()).toMatchObject({ orientation, hasProfile: false });
    const thumb = await fastThumbnail(photo);
    expect(thumb).not.toBeNull();
    const { width, height } = await sharp(thumb as Buffer).metadata();
    expect([width, height]).toEqual(orientation >= 5 ? [192, 256] : [256, 192]);
    await expectSamePicture(thumb as Buffer, photo);
  });

  it('reads progressive and greyscale JPEGs', async () => {
    const progressive = await realPhoto(1024, 768, { progressive: true });
    const grey = await sharp(await realPhoto(1024, 768))
      .toColourspace('b-w')
      .jpeg({ quality: 88 })
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    for (const photo of [progressive, grey]) {
      const thumb = await fastThumbnail(photo);
      expect(thumb).not.toBeNull();
      await expectSamePicture(thumb as Buffer, photo);
    }
  });

  it('never enlarges a photo smaller than a thumbnail', async () => {
    const photo = await realPhoto(200, 150);
    const thumb = await fastThumbnail(photo);
    expect(await sharp(thumb as Buffer).metadata()).toMatchObject({ width: 200, height: 150 });
  });

  it('leaves CMYK, ICC-tagged and large JPEGs to sharp, which still makes their thumbnails', async () => {
    const photo = await realPhoto(1024, 768);
    const cmyk = await sharp(photo).toColourspace('cmyk').jpeg().toBuffer();
    const tagged = await sharp(photo).withIccProfile('p3').jpeg().toBuffer();
    const side = Math.ceil(Math.sqrt(TURBO_MAX_PIXELS)) + 16;
    const large = await realPhoto(side, side);
    for (const bytes of [cmyk, tagged, large]) {
      const header = await probePhoto(bytes);
      expect(await fastThumbnail(bytes)).toBeNull();
      await expectSamePicture(await renderThumbnail(bytes, header), bytes);
    }
  });

  it('declines a truncated JPEG, so sharp names the problem', async () => {
    const photo = await realPhoto(1024, 768);
    const truncated = photo.subarray(0, Math.floor(photo.length * 0.6));
    expect(await fastThumbnail(truncated)).toBeNull();
    await expect(renderThumbnail(truncated, await probePhoto(truncated))).rejects.toThrow(/truncated/);
  });
});

describe('JPEG thumbnails without the binding', () => {
  it('come from sharp, with the same size and picture, when TS_JPEG_TURBO=0', async () => {
    vi.resetModules();
    vi.stubEnv('TS_JPEG_TURBO', '0');
    try {
      const turbo = await import('../../../src/main/imaging/jpeg-turbo-thumbnail');
      const render = await import('../../../src/main/imaging/thumbnail-render');
      const decode = await import('../../../src/main/imaging/decode-photo');
      expect(turbo.jpegTurboStatus()).toEqual({ available: false, reason: 'turned off by TS_JPEG_TURBO=0' });
      const photo = await realPhoto(1024, 768, { orientation: 6 });
      const header = await decode.probePhoto(photo);
      expect(turbo.turboThumbnail(photo, header.jpeg as NonNullable<typeof header.jpeg>, THUMBNAIL_SIZE, 80)).toBeNull();
      const thumb = await render.renderThumbnail(photo, header);
      expect(await sharp(thumb).metadata()).toMatchObject({ width: 192, height: 256 });
      await expectSamePicture(thumb, photo);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
