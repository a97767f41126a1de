import { describe, expect, it } from 'vitest';
import type { ImportProgress } from '../../../src/shared/dto';
import { ProgressReporter } from '../../../src/main/services/progress';

describe('progress events', () => {
  it('are throttled to about ten a second, with a final one at done === total', () => {
    const seen: ImportProgress[] = [];
    const progress = new ProgressReporter('hash', 5000, (p) => seen.push(p));
    for (let i = 0; i < 5000; i++) progress.tick(`/photos/${i}.jpg`);
    progress.finish();
    // A synchronous burst takes well under a second, so at most a couple of events plus the final.
    expect(seen.length).toBeLessThanOrEqual(3);
    expect(seen.at(-1)).toMatchObject({ phase: 'hash', done: 5000, total: 5000 });
    expect(seen.at(-1)?.rate).toBeGreaterThan(0);
  });
});
