/**
 * Decode-and-shrink for the libjpeg-turbo thumbnail path: libjpeg-turbo decodes straight into
 * WebAssembly memory and box-shrink.wat (SIMD) averages each factor×factor block, about five
 * times faster than the same loop in JS. One instance per thread, grown to the largest decode
 * seen (at most TURBO_MAX_PIXELS × 4 bytes and change at full size; a scaled decode is smaller).
 */
import { BOX_SHRINK_WASM } from './box-shrink-wasm';
import type { RgbImage } from './pixel-shrink';

/** Largest factor the module's 16-bit column sums take without overflow is 257; beyond 16 the photo is large anyway. */
export const MAX_BOX_FACTOR = 16;

const PAGE = 65_536;
/** The module reads up to 12 bytes past a row's end and writes up to 24 past the column sums. */
const SLACK = 32;

interface Exports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  shrink: (src: number, width: number, height: number, factor: number, acc: number, dst: number) => void;
}

/** The part of the WebAssembly global used here (the node tsconfig has no DOM typings for it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

let instance: Exports | null = null;

function boxShrink(): Exports {
  if (instance === null) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wasm.Module(Buffer.from(BOX_SHRINK_WASM, 'base64'));
    instance = new wasm.Instance(module).exports as Exports;
  }
  return instance;
}

/**
 * Lets `decode` write an RGBX image of `width`×`height` into WebAssembly memory (the Buffer it is
 * given), then averages each `factor`×`factor` block into an RGB pixel. Pixels beyond the last
 * whole block are dropped (at most factor−1 columns and rows). The result is a view of that
 * memory, valid until the next call: a copy per photo would be garbage outside the JS heap, which
 * V8 collects late (tens of MB per import worker).
 */
export function decodeAndShrink(width: number, height: number, factor: number, decode: (target: Buffer) => void): RgbImage {
  if (!Number.isInteger(factor) || factor < 1 || factor > MAX_BOX_FACTOR) throw new RangeError(`shrink factor ${factor} out of range`);
  const { memory, shrink } = boxShrink();
  const ow = Math.floor(width / factor);
  const oh = Math.floor(height / factor);
  const srcBytes = width * height * 4;
  const acc = align(srcBytes + SLACK);
  const dst = align(acc + width * 8 + SLACK);
  const end = dst + ow * oh * 3;
  if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
  decode(Buffer.from(memory.buffer, 0, srcBytes));
  shrink(0, width, height, factor, acc, dst);
  return { width: ow, height: oh, data: new Uint8Array(memory.buffer, dst, ow * oh * 3) };
}

function align(offset: number): number {
  return (offset + 15) & ~15;
}
