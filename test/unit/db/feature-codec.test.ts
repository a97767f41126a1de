/** The compact feature format: what comes back is within half a quantisation step of what went in. */
import { describe, expect, it } from 'vitest';
import { decodeFeatures, encodeU8Deflate, FORMAT_U8_DEFLATE } from '../../../src/main/db/feature-codec';

function maxError(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('feature codec', () => {
  it('keeps post-ReLU features within half a step of range/255, zeros exactly', () => {
    const v = Float32Array.from({ length: 2560 }, (_, i) => (i % 4 === 0 ? 0 : ((i * 7919) % 1000) / 200));
    const back = decodeFeatures(encodeU8Deflate(v), v.length);
    const step = (Math.max(...v) - Math.min(...v)) / 255;
    expect(maxError(v, back)).toBeLessThanOrEqual(step / 2 + 1e-6);
    expect(v.every((x, i) => x !== 0 || back[i] === 0)).toBe(true);
  });

  it('handles negative values, a constant vector and an empty one', () => {
    const signed = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i) * 3);
    expect(maxError(signed, decodeFeatures(encodeU8Deflate(signed), 100))).toBeLessThanOrEqual(6 / 255 / 2 + 1e-6);
    expect(Array.from(decodeFeatures(encodeU8Deflate(new Float32Array(5).fill(1.5)), 5))).toEqual([1.5, 1.5, 1.5, 1.5, 1.5]);
    expect(decodeFeatures(encodeU8Deflate(new Float32Array(0)), 0)).toHaveLength(0);
  });

  it('stores a MobileNetV2 row in about a fifth of its float32 size, tagged with its format', () => {
    const v = Float32Array.from({ length: 2560 }, (_, i) => (i % 3 === 0 ? 0 : ((i * 2654435761) % 997) / 997) ** 3 * 4);
    const blob = encodeU8Deflate(v);
    expect(blob[0]).toBe(FORMAT_U8_DEFLATE);
    expect(blob.length).toBeLessThan((v.length * 4) / 4);
  });

  it('refuses a row of another length or an unknown format, and a vector that is not finite', () => {
    const blob = encodeU8Deflate(new Float32Array([1, 2, 3]));
    expect(() => decodeFeatures(blob, 4)).toThrow(/holds 3 values, expected 4/);
    expect(() => decodeFeatures(Buffer.from([9, 0, 0]), 1)).toThrow(/Unknown feature cache format 9/);
    expect(() => encodeU8Deflate(new Float32Array([1, Number.NaN]))).toThrow(/not a finite number/);
  });
});
