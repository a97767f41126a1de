/**
 * An image file as base64 for 'explain:photo'. Serve mode takes at most 1 MiB per request, so a
 * big photo is scaled down first (to 1024 px on its long side, as JPEG: the model sees a few
 * hundred pixels of it anyway); a format the browser cannot draw is sent as it is when small enough.
 */

/** Largest base64 the contract accepts for an image. */
export const MAX_IMAGE_BASE64 = 1_000_000;
const LONG_SIDE = 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function scaledDown(file: Blob): Promise<Blob | null> {
  if (typeof createImageBitmap !== 'function') return null;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  } catch {
    return null;
  }
}

/** The bytes to send, or a plain-words reason why this file cannot be sent. */
export async function imageForUpload(file: Blob & { name?: string }): Promise<{ name: string; base64: string } | { error: string }> {
  const name = file.name || 'pasted image';
  if (file.size === 0) return { error: `${name} is empty.` };
  const small = file.size <= 700_000 ? null : await scaledDown(file);
  const blob = small ?? file;
  const base64 = toBase64(new Uint8Array(await blob.arrayBuffer()));
  if (base64.length > MAX_IMAGE_BASE64)
    return {
      error: `${name} is too large to send (${Math.round(file.size / 1e6)} MB) and could not be scaled down here; try a JPEG or PNG.`
    };
  return { name: small ? name.replace(/\.[^.]*$/, '') + '.jpg' : name, base64 };
}
