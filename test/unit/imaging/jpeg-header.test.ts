/**
 * The JS JPEG header reader agrees with libvips (sharp's metadata) on real photos of every kind
 * the import meets, and gives up (null, so sharp decides) on anything it cannot read for sure.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readJpegHeader } from '../../../src/main/imaging/jpeg-header';
import { realPhoto, withExifOrientation } from '../../helpers/real-jpeg';

async function expectAgreesWithSharp(jpeg: Buffer): Promise<void> {
  const meta = await sharp(jpeg).metadata();
  expect(readJpegHeader(jpeg)).toEqual({
    width: meta.width,
    height: meta.height,
    channels: meta.channels,
    orientation: meta.orientation ?? 1,
    hasProfile: meta.hasProfile === true
  });
}

describe('readJpegHeader', () => {
  it('reads size and components of baseline, progressive, greyscale and CMYK photos', async () => {
    const photo = await realPhoto(640, 480);
    await expectAgreesWithSharp(photo);
    await expectAgreesWithSharp(await realPhoto(640, 480, { progressive: true }));
    await expectAgreesWithSharp(await sharp(photo).toColourspace('b-w').jpeg().toBuffer());
    await expectAgreesWithSharp(await sharp(photo).toColourspace('cmyk').jpeg().toBuffer());
  });

  it.each([2, 5, 6, 8])('reads EXIF orientation %i, in either byte order, and an embedded ICC profile', async (orientation) => {
    const photo = await realPhoto(320, 240);
    await expectAgreesWithSharp(withExifOrientation(photo, orientation));
    // EXIF as libvips writes it, with an ICC profile beside it.
    const tagged = await sharp(photo).withMetadata({ orientation }).jpeg().toBuffer();
    expect(readJpegHeader(tagged)).toMatchObject({ orientation, hasProfile: true });
    await expectAgreesWithSharp(tagged);
  });

  it('gives up on a file cut off inside its header, and on other formats', async () => {
    const photo = await realPhoto(320, 240);
    expect(readJpegHeader(photo.subarray(0, 100))).toBeNull();
    expect(readJpegHeader(await sharp(photo).png().toBuffer())).toBeNull();
    expect(readJpegHeader(Buffer.from('not an image at all'))).toBeNull();
  });
});
