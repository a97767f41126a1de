/**
 * A minimal Windows BMP reader. sharp's prebuilt libvips has no BMP loader, so BMP photos are
 * decoded here into raw RGB(A) pixels that sharp accepts. Covers what cameras, scanners and
 * Paint write: uncompressed 24/32-bit, BI_BITFIELDS 32-bit with the usual masks, 8-bit palettes.
 */
export interface BmpImage {
  width: number;
  height: number;
  channels: 3;
  data: Buffer;
}

export interface BmpHeader {
  width: number;
  height: number;
  bitsPerPixel: number;
  compression: number;
  dataOffset: number;
  headerSize: number;
  topDown: boolean;
}

export function isBmp(buf: Buffer): boolean {
  return buf.length >= 26 && buf[0] === 0x42 && buf[1] === 0x4d;
}

export function readBmpHeader(buf: Buffer): BmpHeader {
  if (!isBmp(buf)) throw new Error('not a BMP file');
  const headerSize = buf.readUInt32LE(14);
  if (headerSize < 40 || buf.length < 14 + headerSize) throw new Error('unsupported BMP header');
  const rawHeight = buf.readInt32LE(22);
  const header = {
    width: buf.readInt32LE(18),
    height: Math.abs(rawHeight),
    bitsPerPixel: buf.readUInt16LE(28),
    compression: buf.readUInt32LE(30),
    dataOffset: buf.readUInt32LE(10),
    headerSize,
    topDown: rawHeight < 0
  };
  if (header.width <= 0 || header.height <= 0 || header.width > 65535 || header.height > 65535) {
    throw new Error('invalid BMP dimensions');
  }
  return header;
}

export function decodeBmp(buf: Buffer): BmpImage {
  const h = readBmpHeader(buf);
  const supported = (h.compression === 0 && [8, 24, 32].includes(h.bitsPerPixel)) || (h.compression === 3 && h.bitsPerPixel === 32);
  if (!supported) throw new Error(`unsupported BMP variant (${h.bitsPerPixel}-bit, compression ${h.compression})`);
  const stride = Math.ceil((h.width * h.bitsPerPixel) / 32) * 4;
  if (h.dataOffset + stride * h.height > buf.length) throw new Error('truncated BMP file');
  // The 4th byte of 32-bit BMPs is usually unused padding (often 0), so alpha is dropped.
  const channels = 3;
  const out = Buffer.alloc(h.width * h.height * channels);
  const palette = h.bitsPerPixel === 8 ? 14 + h.headerSize : 0;
  for (let y = 0; y < h.height; y++) {
    const src = h.dataOffset + (h.topDown ? y : h.height - 1 - y) * stride;
    for (let x = 0; x < h.width; x++) {
      const o = (y * h.width + x) * channels;
      // BMP stores BGR(X); palette entries are BGR0.
      const p = h.bitsPerPixel === 8 ? palette + buf[src + x] * 4 : src + x * (h.bitsPerPixel / 8);
      out[o] = buf[p + 2];
      out[o + 1] = buf[p + 1];
      out[o + 2] = buf[p];
    }
  }
  return { width: h.width, height: h.height, channels, data: out };
}
