/** How a thumbnail is made from a photo, the same in the import workers and on demand. */
import { renderPhoto } from './decode-photo';

/** Longest side of a thumbnail, px. Sharp enough for a 2x grid cell of ~128 px. */
export const THUMBNAIL_SIZE = 256;
export const THUMBNAIL_CONTENT_TYPE = 'image/jpeg';

/**
 * A JPEG thumbnail of the photo (path or bytes). libvips shrinks JPEGs while decoding them
 * (a 1024 px photo is decoded at 1/4 scale straight away), which is most of the speed.
 * Throws UndecodablePhotoError / MissingPhotoError from photo-errors.ts.
 */
export function renderThumbnail(input: Buffer | string): Promise<Buffer> {
  return renderPhoto(input, (image) =>
    image
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80, mozjpeg: false })
  );
}
