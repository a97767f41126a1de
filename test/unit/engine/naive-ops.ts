/** Straightforward reference ops in plain JS (NHWC, batch 1), independent of tfjs. */

export interface Feature {
  h: number;
  w: number;
  c: number;
  data: Float32Array;
}

/** 3×3 'same' convolution + bias + ReLU, Keras kernel layout [kh,kw,cin,cout]. */
export function convSameRelu(x: Feature, kernel: Float32Array, bias: Float32Array, cout: number): Feature {
  const { h, w, c } = x;
  const out = new Float32Array(h * w * cout);
  const acc = new Float64Array(cout);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      for (let o = 0; o < cout; o++) acc[o] = bias[o];
      for (let di = -1; di <= 1; di++) {
        const y = i + di;
        if (y < 0 || y >= h) continue;
        for (let dj = -1; dj <= 1; dj++) {
          const xx = j + dj;
          if (xx < 0 || xx >= w) continue;
          const kBase = ((di + 1) * 3 + (dj + 1)) * c * cout;
          const xBase = (y * w + xx) * c;
          for (let ci = 0; ci < c; ci++) {
            const v = x.data[xBase + ci];
            const kRow = kBase + ci * cout;
            for (let o = 0; o < cout; o++) acc[o] += v * kernel[kRow + o];
          }
        }
      }
      const base = (i * w + j) * cout;
      for (let o = 0; o < cout; o++) out[base + o] = Math.max(0, acc[o]);
    }
  }
  return { h, w, c: cout, data: out };
}

/** 2×2 max pooling, stride 2, 'valid' (odd edges dropped, like Keras). */
export function maxPool2(x: Feature): Feature {
  const h = Math.floor(x.h / 2);
  const w = Math.floor(x.w / 2);
  const out = new Float32Array(h * w * x.c);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      for (let ci = 0; ci < x.c; ci++) {
        let m = -Infinity;
        for (const [di, dj] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1]
        ])
          m = Math.max(m, x.data[((2 * i + di) * x.w + 2 * j + dj) * x.c + ci]);
        out[(i * w + j) * x.c + ci] = m;
      }
    }
  }
  return { h, w, c: x.c, data: out };
}

/** max |a−b| relative to max |b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
