import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { PhotoVariant } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { Database } from '../db/database';
import { listFolders } from '../db/folder-repository';
import { markPhotoSkipped, photoLocation } from '../db/photo-repository';
import { MissingPhotoError, UndecodablePhotoError } from '../imaging/photo-errors';
import { isInside } from './folder-scan';
import { THUMBNAIL_CONTENT_TYPE, type ThumbnailCache } from './thumbnails';

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff'
};

/** What a transport sends for a photo: an original file by path, or a thumbnail's bytes. */
export type PhotoBody = { contentType: string; path: string } | { contentType: string; data: Buffer; etag: string };

/**
 * Maps a photo id to the one file the transports may send (thumbnails come from the cache). The original is served only when its
 * realpath lies inside one of the project's folders, so neither a crafted database row nor a
 * symlink swapped in later can expose another file.
 */
export async function resolvePhotoFile(db: Database, thumbs: ThumbnailCache, photoId: number, variant: PhotoVariant): Promise<PhotoBody> {
  const loc = photoLocation(db, photoId);
  if (!loc) throw new AppError('NOT_FOUND', `Photo ${photoId} is not in this project.`);
  const original = await checkedOriginal(db, loc.folderPath, loc.relPath);
  if (variant === 'full') {
    return { path: original, contentType: CONTENT_TYPES[path.extname(original).toLowerCase()] ?? 'application/octet-stream' };
  }
  if (loc.status !== 'ok' || loc.hash === null)
    throw new AppError('NOT_FOUND', `Photo ${photoId} has no thumbnail (it could not be read).`);
  try {
    const data = await thumbs.ensure(loc.hash, original);
    return { data, contentType: THUMBNAIL_CONTENT_TYPE, etag: `"t${loc.hash.slice(0, 24)}"` };
  } catch (err) {
    // Gone since the check above: say so, and leave the photo as it is (a drive may come back).
    if (err instanceof MissingPhotoError) throw new AppError('NOT_FOUND', `${original} is no longer on disk; rescan the folder.`);
    if (!(err instanceof UndecodablePhotoError)) throw err;
    markPhotoSkipped(db, photoId, err.message);
    throw new AppError('NOT_FOUND', `Photo ${photoId} could not be decoded: ${err.message}`);
  }
}

async function checkedOriginal(db: Database, folderPath: string, relPath: string): Promise<string> {
  const lexical = path.resolve(folderPath, ...relPath.split('/'));
  if (!isInside(folderPath, lexical)) throw new AppError('FORBIDDEN', 'Photo path lies outside its folder.');
  let real: string;
  try {
    real = await fsp.realpath(lexical);
  } catch {
    throw new AppError('NOT_FOUND', `${lexical} is no longer on disk; rescan the folder.`);
  }
  const roots = await Promise.all(listFolders(db).map((f) => fsp.realpath(f.path).catch(() => null)));
  if (!roots.some((root) => root !== null && isInside(root, real))) {
    throw new AppError('FORBIDDEN', "Only files inside the project's folders are served.");
  }
  return real;
}
