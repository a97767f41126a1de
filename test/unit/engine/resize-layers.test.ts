/** The multi-scale classifier's in-graph resize: the same Lanczos-3 weights as Pillow's LANCZOS resize. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resizeMatrix } from '../../../src/main/engine/resize-layers';

const fixture = JSON.parse(readFileSync(path.join(import.meta.dirname, 'pillow-lanczos-fixture.json'), 'utf8')) as Record<
  string,
  { input: number[]; pillow: number[] }
>;

describe('resize matrix', () => {
  for (const [name, { input, pillow }] of Object.entries(fixture)) {
    it(`resizes a line ${name} as Pillow's LANCZOS does`, () => {
      const from = input.length;
      const to = pillow.length;
      const m = resizeMatrix(from, to);
      const ours = Array.from({ length: to }, (_, o) => input.reduce((sum, v, i) => sum + v * m[i * to + o], 0));
      const worst = Math.max(...ours.map((v, o) => Math.abs(v - pillow[o])));
      expect(worst).toBeLessThan(1e-3);
    });
  }

  it('keeps a flat grey flat: every output weighs its inputs to a sum of 1', () => {
    const m = resizeMatrix(320, 224);
    for (let o = 0; o < 224; o++) {
      let sum = 0;
      for (let i = 0; i < 320; i++) sum += m[i * 224 + o];
      expect(sum).toBeCloseTo(1, 6);
    }
  });
});
