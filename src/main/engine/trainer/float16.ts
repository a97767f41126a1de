/**
 * IEEE half-precision storage for large activation maps kept between fine-tuning epochs: half
 * the memory of float32, with a relative rounding error of at most 2^-11 (≈ 5e-4) — far below
 * what augmentation changes from one view to the next. Node 20 has no Float16Array.
 */
const floatView = new Float32Array(1);
const intView = new Uint32Array(floatView.buffer);

/** float32 → float16 bits, round to nearest even; overflow → ±Infinity. */
export function toHalf(value: number): number {
  floatView[0] = value;
  const x = intView[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  e = half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0);
  return sign | e;
}

let table: Float32Array | null = null;

/** All 65,536 half values as float32, built once. */
function halfTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    table[h] =
      exp === 0 ? sign * mant * 2 ** -24 : exp === 0x1f ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return table;
}

export function encodeHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toHalf(values[i]);
  return out;
}

/** Decodes `halves` into `out` at `offset`. */
export function decodeHalfInto(halves: Uint16Array, out: Float32Array, offset: number): void {
  const t = halfTable();
  for (let i = 0; i < halves.length; i++) out[offset + i] = t[halves[i]];
}
