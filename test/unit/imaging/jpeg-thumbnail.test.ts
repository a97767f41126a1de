/**
 * The libjpeg-turbo thumbnail path against sharp's, on real photos (hymenoptera, scaled to the
 * sizes people import), with the scaled decode and with the full-size one: the same size,
 * orientation and picture; the JPEGs it must leave to sharp (CMYK, ICC-tagged, too large,
 * truncated) still get a right thumbnail; and with the binding turned off every thumbnail comes
 * from sharp.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { THUMBNAIL_SIZE } from '../../../src/main/imaging/thumbnail-render';
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

type Modules = {
  turbo: typeof import('../../../src/main/imaging/jpeg-turbo-thumbnail');
  scaled: typeof import('../../../src/main/imaging/jpeg-scaled');
  render: typeof import('../../../src/main/imaging/thumbnail-render');
  decode: typeof import('../../../src/main/imaging/decode-photo');
};

/** Fresh copies of the modules, so each sees its own TS_JPEG_* settings when it loads the bindings. */
async function loadWith(env: Record<string, string>): Promise<Modules> {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    const [turbo, scaled, render, decode] = await Promise.all([
      import('../../../src/main/imaging/jpeg-turbo-thumbnail'),
      import('../../../src/main/imaging/jpeg-scaled'),
      import('../../../src/main/imaging/thumbnail-render'),
      import('../../../src/main/imaging/decode-photo')
    ]);
    // The bindings load on first use: use them while the settings hold.
    turbo.jpegTurboStatus();
    scaled.jpegScaledStatus();
    return { turbo, scaled, render, decode };
  } finally {
    vi.unstubAllEnvs();
    vi.resetModules();
  }
}

/** A flat 50+ MP JPEG: quick to make, and larger than the scaled path takes. */
async function hugePhoto(pixels: number): Promise<Buffer> {
  const side = Math.ceil(Math.sqrt(pixels)) + 16;
  return sharp({ create: { width: side, height: side, channels: 3, background: '#806040' } })
    .jpeg({ quality: 70 })
    .toBuffer();
}

// The same pictures whichever way libjpeg-turbo decodes: at 1/2–1/8 scale through the
// jpeg-scaled addon, or at full size (TS_JPEG_SCALED=0, or where the addon is not built:
// Windows has no build script for it yet).
describe.each([
  ...(process.platform === 'win32' ? [] : [{ path: 'scaled decode', env: { TS_JPEG_SCALED: '1' }, scaled: true }]),
  { path: 'full-size decode', env: { TS_JPEG_SCALED: '0' }, scaled: false }
])('JPEG thumbnails through libjpeg-turbo, $path', ({ env, scaled }) => {
  let m: Modules;
  beforeAll(async () => {
    m = await loadWith(env);
  });

  async function fastThumbnail(bytes: Buffer): Promise<Buffer | null> {
    const header = await m.decode.probePhoto(bytes);
    if (!header.jpeg) throw new Error('not probed as a JPEG');
    return m.turbo.turboThumbnail(bytes, header.jpeg, THUMBNAIL_SIZE, 80);
  }

  it('loads the bindings on this machine', () => {
    expect(m.turbo.jpegTurboStatus()).toEqual({ available: true, reason: null });
    expect(m.scaled.jpegScaledStatus().available).toBe(scaled);
  });

  it('makes a 256×192 thumbnail of a 1024×768 photo that looks like sharp’s', async () => {
    const photo = await realPhoto(1024, 768);
    const thumb = await fastThumbnail(photo);
    expect(thumb).not.toBeNull();
    await expectSamePicture(thumb as Buffer, photo);
  });

  it('scales by a factor that is not whole (1000×750, 1400×1050 → 256×192) and keeps a portrait photo upright', async () => {
    for (const [w, h] of [
      [1000, 750],
      [600, 900],
      [1400, 1050]
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

  it('leaves CMYK and ICC-tagged JPEGs to sharp, which still makes their thumbnails', async () => {
    const photo = await realPhoto(1024, 768);
    const cmyk = await sharp(photo).toColourspace('cmyk').jpeg().toBuffer();
    const tagged = await sharp(photo).withIccProfile('p3').jpeg().toBuffer();
    for (const bytes of [cmyk, tagged]) {
      const header = await m.decode.probePhoto(bytes);
      expect(await fastThumbnail(bytes)).toBeNull();
      await expectSamePicture(await m.render.renderThumbnail(bytes, header), bytes);
    }
  });

  it(
    scaled ? 'takes photos up to 50 MP, beyond which sharp streams them' : 'leaves photos over 1.6 MP to sharp’s shrink-on-load',
    async () => {
      const side = Math.ceil(Math.sqrt(m.turbo.TURBO_MAX_PIXELS)) + 16;
      const large = await realPhoto(side, side);
      const huge = await hugePhoto(m.turbo.SCALED_MAX_PIXELS);
      const hugeThumb = await m.render.renderThumbnail(huge, await m.decode.probePhoto(huge));
      expect(await fastThumbnail(huge)).toBeNull();
      expect(await sharp(hugeThumb).metadata()).toMatchObject({ width: 256, height: 256 });
      if (scaled) {
        const thumb = await fastThumbnail(large);
        expect(thumb).not.toBeNull();
        await expectSamePicture(thumb as Buffer, large);
      } else {
        expect(await fastThumbnail(large)).toBeNull();
        await expectSamePicture(await m.render.renderThumbnail(large, await m.decode.probePhoto(large)), large);
      }
    },
    30_000
  );

  it('declines a truncated JPEG, so sharp names the problem', async () => {
    const photo = await realPhoto(1024, 768);
    const truncated = photo.subarray(0, Math.floor(photo.length * 0.6));
    expect(await fastThumbnail(truncated)).toBeNull();
    await expect(m.render.renderThumbnail(truncated, await m.decode.probePhoto(truncated))).rejects.toThrow(/truncated/);
  });
});

describe('JPEG thumbnails without the binding', () => {
  it('come from sharp, with the same size and picture, when TS_JPEG_TURBO=0', async () => {
    const m = await loadWith({ TS_JPEG_TURBO: '0' });
    expect(m.turbo.jpegTurboStatus()).toEqual({ available: false, reason: 'turned off by TS_JPEG_TURBO=0' });
    const photo = await realPhoto(1024, 768, { orientation: 6 });
    const header = await m.decode.probePhoto(photo);
    expect(m.turbo.turboThumbnail(photo, header.jpeg as NonNullable<typeof header.jpeg>, THUMBNAIL_SIZE, 80)).toBeNull();
    const thumb = await m.render.renderThumbnail(photo, header);
    expect(await sharp(thumb).metadata()).toMatchObject({ width: 192, height: 256 });
    await expectSamePicture(thumb, photo);
  });
});
