/**
 * The two custom schemes of the shell. The renderer is served from `tstudio-app://renderer/`
 * rather than file:// so it has a real origin, gets our CSP header, and the IPC adapter can
 * check who is calling. Photos come from `tstudio-photo://thumb/ID` and `…/full/ID`.
 */
import { protocol } from 'electron';
import { PHOTO_PROTOCOL } from '../../shared/contract';

export const APP_SCHEME = 'tstudio-app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Must run before the app's `ready` event. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    { scheme: PHOTO_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }
  ]);
}

/**
 * `scheme://host` of a URL, or null. Node's URL reports origin "null" for non-special schemes,
 * so the comparison is done on protocol and host.
 */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}
