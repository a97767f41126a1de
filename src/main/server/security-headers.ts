/**
 * Content Security Policy and related headers, shared by serve mode and the Electron shell so
 * both transports hold the renderer to the same rules.
 */

export interface CspOptions {
  /** Extra image sources, e.g. the Electron photo protocol `tstudio-photo:`. */
  imgSources?: string[];
  /** Extra connect sources, e.g. the Vite dev server's websocket during `npm start`. */
  connectSources?: string[];
}

/**
 * No inline or remote script, no plugins, no framing, no foreign connections. Inline styles
 * stay allowed because Vue transitions and chart.js set style attributes.
 */
export function contentSecurityPolicy(options: CspOptions = {}): string {
  const img = ["'self'", 'data:', 'blob:', ...(options.imgSources ?? [])];
  const connect = ["'self'", ...(options.connectSources ?? [])];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src ${img.join(' ')}`,
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ');
}

/** Headers on every serve-mode response. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  // The token travels in the first page's URL; never hand it on in a Referer.
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin'
};
