/**
 * The one place where Keras's channels-last world meets ONNX's channels-first one. The IR is
 * NHWC with [kh,kw,cin,cout] kernels; ONNX convolutions and pools want NCHW activations and
 * [cout,cin,kh,kw] weights. The encoder converts every layout-dependent thing through here:
 * the image transpose in, weights, per-channel vectors, pads, axes, and the map transpose out.
 */
import type { Pads } from './ir';

/** Transpose perms for activations. */
export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Channel axis of a rank-4 activation inside the ONNX graph. */
export const CHANNEL_AXIS = 1;
/** Width axis of a rank-4 activation inside the ONNX graph (the mirror flips it). */
export const WIDTH_AXIS = 3;

/** [kh,kw,cin,cout] → [cout,cin,kh,kw]. */
export function convKernelToOihw(kernel: Float32Array, [kh, kw, cin, cout]: readonly number[]): { data: Float32Array; dims: number[] } {
  const data = new Float32Array(kernel.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < cout; o++) data[((o * cin + c) * kh + i) * kw + j] = kernel[((i * kw + j) * cin + c) * cout + o];
  return { data, dims: [cout, cin, kh, kw] };
}

/**
 * Depthwise [kh,kw,cin,multiplier] → grouped conv weights [cin·multiplier, 1, kh, kw] with
 * group = cin. tfjs orders depthwise output channels c·multiplier + m, as ONNX groups do.
 */
export function depthwiseKernelToOihw(
  kernel: Float32Array,
  [kh, kw, cin, mult]: readonly number[]
): { data: Float32Array; dims: number[] } {
  const data = new Float32Array(kernel.length);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < cin; c++)
        for (let m = 0; m < mult; m++) data[((c * mult + m) * kh + i) * kw + j] = kernel[((i * kw + j) * cin + c) * mult + m];
  return { data, dims: [cin * mult, 1, kh, kw] };
}

/** Shape of a per-channel constant that broadcasts over an NCHW activation. */
export function channelVectorDims(channels: number): number[] {
  return [channels, 1, 1];
}

/** ONNX pads for H, W: [top, left, bottom, right]. */
export function spatialPads(p: Pads): number[] {
  return [p.top, p.left, p.bottom, p.right];
}

/** ONNX Pad's pads for a whole NCHW tensor: begins of N,C,H,W then ends. */
export function tensorPads(p: Pads): number[] {
  return [0, 0, p.top, p.left, 0, 0, p.bottom, p.right];
}

/** ONNX value shape of a Keras-order shape (rank 4 becomes NCHW); null batch → symbolic. */
export function onnxShape(kerasShape: readonly (number | null)[]): (number | null)[] {
  if (kerasShape.length !== 4) return [...kerasShape];
  const [n, h, w, c] = kerasShape;
  return [n, c, h, w];
}
