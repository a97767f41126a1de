/** Text colors that stay readable on a class's own color (chips on thumbnails and in the preview). */

/** WCAG relative luminance of a `#rrggbb` color, 0–1; null when the string is not one. */
export function relativeLuminance(hex: string): number | null {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const n = parseInt(m[1], 16);
  const channel = (v: number): number => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/**
 * Near-black or white, whichever contrasts more with `background`. Class colors are the person's
 * choice (and the default palette has yellows and pastels), so white text alone is not enough.
 */
export function readableTextOn(background: string): '#111827' | '#ffffff' {
  const l = relativeLuminance(background);
  if (l === null) return '#ffffff';
  const onWhite = 1.05 / (l + 0.05);
  const onDark = (l + 0.05) / (0.0093 + 0.05);
  return onDark > onWhite ? '#111827' : '#ffffff';
}
