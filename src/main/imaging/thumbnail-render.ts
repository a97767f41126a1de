/** How a thumbnail is made from a photo, the same in the import workers and on demand. */
import { renderPhoto, type PhotoHeader } from './decode-photo';
import { turboThumbnail } from './jpeg-turbo-thumbnail';

/** Longest side of a thumbnail, px. Sharp enough for a 2x grid cell of ~128 px. */
export const THUMBNAIL_SIZE = 256;
export const THUMBNAIL_CONTENT_TYPE = 'image/jpeg';

const THUMBNAIL_QUALITY = 80;

/**
 * A JPEG thumbnail of the photo (path or bytes). Given the bytes and the probe's header, an
 * ordinary JPEG goes through libjpeg-turbo (jpeg-turbo-thumbnail.ts); everything else, and every
 * JPEG that path declines, through sharp, where libvips shrinks JPEGs while decoding them.
 * Throws UndecodablePhotoError / MissingPhotoError from photo-errors.ts.
 */
export async function renderThumbnail(input: Buffer | string, header?: PhotoHeader): Promise<Buffer> {
  if (typeof input !== 'string' && header?.jpeg) {
    const fast = turboThumbnail(input, header.jpeg, THUMBNAIL_SIZE, THUMBNAIL_QUALITY);
    if (fast !== null) return fast;
  }
  return renderPhoto(input, (image) =>
    image
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: THUMBNAIL_QUALITY, mozjpeg: false })
  );
}
