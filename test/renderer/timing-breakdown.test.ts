import { describe, expect, it } from 'vitest';
import type { RunTimings } from '../../src/shared/dto';
import { timingBreakdown } from '../../src/renderer/lib/training-format';

const base: RunTimings = { load: 1, features: 12, train: 3, fineTune: 0, evaluate: 1, predict: 2, save: 1, total: 20 };

describe('where a run’s time went', () => {
  it('names reading photos and learning for a plain run', () => {
    expect(timingBreakdown(base, false)).toBe('reading photos 12 s · learning 3 s');
  });

  it('names the size comparison when it took the time (features cached, head fitted in it)', () => {
    const t = { ...base, choose: 105, features: 0, train: 0, total: 106 };
    expect(timingBreakdown(t, false)).toBe('comparing sizes 1 min 45 s · reading photos 0 s · learning 0 s');
  });

  it('names the check of whether refining pays when it decided against it, and the refining when it ran', () => {
    const checked = { ...base, choose: 26, fineTune: 43, fineTuneCheck: 43 };
    expect(timingBreakdown(checked, false)).toBe('comparing sizes 26 s · reading photos 12 s · checking refining 43 s · learning 3 s');
    const refined = { ...base, fineTune: 95, fineTuneCheck: 40 };
    expect(timingBreakdown(refined, true)).toBe('reading photos 12 s · learning 3 s · refining 1 min 35 s');
  });
});
