/**
 * How a cached feature vector is stored: 8 bits per value on the vector's own range, deflated.
 * MobileNetV2's 2 × 1280 pooled values take 10,240 bytes as float32 and about 2,000 here, so two
 * rows share a 4 KiB page instead of spilling into overflow pages. The error (half a step of
 * range/255, under 1 % of the vector's norm) did not move validation accuracy; see the README's
 * benchmark notes. Vectors come back as Float32Array: the trainer never sees the storage.
 *
 * Layout (format 1): [1][min: f32 LE][step: f32 LE][deflate-raw of one byte per value].
 * A value is min + step · byte; post-ReLU features have min 0, so their zeros stay exact zeros,
 * which is also what makes them deflate well.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** The format byte of {@link encodeU8Deflate}. Never reuse a number for another layout. */
export const FORMAT_U8_DEFLATE = 1;
const HEADER_BYTES = 9;
const LEVELS = 255;

/** Format 1. A shipped format is never changed: old rows must keep decoding. */
export function encodeU8Deflate(values: Float32Array): Buffer {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new Error('Feature vector holds a value that is not a finite number.');
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (values.length === 0) min = max = 0;
  const step = max > min ? (max - min) / LEVELS : 0;
  const codes = new Uint8Array(values.length);
  if (step > 0) for (let i = 0; i < values.length; i++) codes[i] = Math.round((values[i] - min) / step);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(FORMAT_U8_DEFLATE, 0);
  header.writeFloatLE(min, 1);
  header.writeFloatLE(step, 5);
  return Buffer.concat([header, deflateRawSync(codes)]);
}

/** Decodes any stored format into `dim` float32 values. */
export function decodeFeatures(blob: Uint8Array, dim: number): Float32Array {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const format = buf.readUInt8(0);
  if (format !== FORMAT_U8_DEFLATE) throw new Error(`Unknown feature cache format ${format}.`);
  const min = buf.readFloatLE(1);
  const step = buf.readFloatLE(5);
  const codes = inflateRawSync(buf.subarray(HEADER_BYTES));
  if (codes.length !== dim) throw new Error(`Feature cache row holds ${codes.length} values, expected ${dim}.`);
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = min + step * codes[i];
  return out;
}
