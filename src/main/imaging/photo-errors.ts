/**
 * What can go wrong reading a photo, in words a person can act on. Only a photo whose own bytes
 * are bad is "undecodable" (and may be skipped); a file that is not there is "missing" (its drive
 * may come back, so it is checked again on every rescan); anything else (permissions, a full
 * disk) is neither and must not cost a photo its label.
 */

/** The photo's bytes cannot be decoded: corrupt, truncated, not an image, unsupported. */
export class UndecodablePhotoError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UndecodablePhotoError';
  }
}

/** The file is not there (deleted, moved, or on a drive that was disconnected). */
export class MissingPhotoError extends Error {
  constructor(file: string) {
    super(
      `missing: ${file} was not found when it was read (moved, deleted, or on a disconnected drive); it is checked again on the next rescan`
    );
    this.name = 'MissingPhotoError';
  }
}

/** The prefix stored in a skipped photo's reason when its file was missing. */
export const MISSING_REASON_PREFIX = 'missing:';

const FILE_GONE = new Set(['ENOENT', 'ENOTDIR']);

/** True for an fs error that means the file (or a folder above it) is gone. */
export function isFileGone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && FILE_GONE.has(code);
}

/** Plain words for libvips decode failures; the raw text is kept only when nothing matches. */
const DECODE_REASONS: Array<[RegExp, string]> = [
  [
    /premature end|truncated|unexpected end|end of (file|stream)|read error|short read|not enough data|out of data/i,
    'truncated: the file ends before the picture does (an interrupted copy or download?); copy it again from its source'
  ],
  [/unsupported image format|unknown image format|not a known file format/i, 'not an image, or a format Transfer Studio cannot read'],
  [/image too large|exceeds pixel limit/i, 'the picture is too large to decode (more than 268 megapixels)'],
  [
    /unknown error|corrupt|invalid|bad |damaged|huffman|marker|crc|inflate|decompress/i,
    'damaged: the picture data is corrupt; open it in an image viewer to check, or copy it again from its source'
  ]
];

/**
 * Turns what sharp/libvips or the file system threw while decoding `file` into a
 * MissingPhotoError, an UndecodablePhotoError with a plain reason, or (for anything about the
 * machine rather than the photo, e.g. EACCES, EMFILE) the error unchanged.
 */
export function photoError(err: unknown, file: string): Error {
  if (err instanceof UndecodablePhotoError || err instanceof MissingPhotoError) return err;
  if (isFileGone(err)) return new MissingPhotoError(file);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return err as Error;
  const raw = (err instanceof Error ? err.message : String(err)).replace(/^Vips\w*: /, '').trim();
  if (/input file is missing/i.test(raw)) return new MissingPhotoError(file);
  for (const [pattern, reason] of DECODE_REASONS) if (pattern.test(raw)) return new UndecodablePhotoError(reason);
  return new UndecodablePhotoError(`damaged: the picture cannot be decoded (${raw.split('\n')[0].slice(0, 120)})`);
}
