/**
 * Multi-scale as an input-size candidate: the row layout the head and the saved classifier
 * share, the plan rule (frozen-feature logistic head only), and the choice — cross-validated like
 * any size, taken only when its CV beats every single size, with every figure in the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { planChoices, type ChoiceRequest } from '../../../src/main/engine/choice-rules';
import { initBackend } from '../../../src/main/engine/index';
import { decide, type Tried } from '../../../src/main/engine/trainer/choose-input-size';
import type { LabeledItem } from '../../../src/main/engine/trainer/job-types';
import { fitLinearHead, linearRows } from '../../../src/main/engine/trainer/linear-head';
import { multiScaleFeatures, multiScaleRow } from '../../../src/main/engine/trainer/multi-scale';
import { createRng } from '../../../src/main/engine/trainer/rng';

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

describe('multi-scale rows', () => {
  it('put every scale of the photo first, then every scale of its mirror image, smallest scale first', () => {
    const small = Float32Array.of(1, 2, -1, -2); // photo [1, 2], mirror [-1, -2]
    const large = Float32Array.of(3, 4, 5, -3, -4, -5);
    expect(Array.from(multiScaleRow([small, large]))).toEqual([1, 2, 3, 4, 5, -1, -2, -3, -4, -5]);
  });

  it('keep only the photos every scale has features for', () => {
    const a = new Map([
      ['x', Float32Array.of(1, 1)],
      ['y', Float32Array.of(2, 2)]
    ]);
    const b = new Map([['y', Float32Array.of(3, 3)]]);
    expect([...multiScaleFeatures([a, b]).keys()]).toEqual(['y']);
  });
});

describe('multi-scale in the plan', () => {
  const req: ChoiceRequest = {
    backboneId: 'mobilenet_v2_035',
    head: 'gap',
    headTraining: 'logistic-cv',
    fineTune: 'auto',
    timeBudgetSeconds: 600
  };
  const train = Array.from({ length: 40 }, (_, i) => ({ classIndex: i % 2, width: 400, height: 500 }));

  it('is a candidate beside 224 and 320 px for the frozen-feature logistic head, and says so', () => {
    const plan = planChoices(req, train, 2).inputSize;
    expect(plan).toMatchObject({ candidates: [224, 320], multiScale: true });
    expect(plan.reason).toBe('cross-validation among 224, 320 px and 224+320 px side by side (photos’ median short side 400 px)');
  });

  it('is not a candidate when fine-tuning is asked for, with the Adam head, or with one size', () => {
    expect(planChoices({ ...req, fineTune: true }, train, 2).inputSize.multiScale).toBeUndefined();
    expect(planChoices({ ...req, headTraining: 'adam' }, train, 2).inputSize.multiScale).toBeUndefined();
    const small = train.map((t) => ({ ...t, width: 200, height: 200 }));
    expect(planChoices(req, small, 2).inputSize).toMatchObject({ candidates: [224] });
    expect(planChoices(req, small, 2).inputSize.multiScale).toBeUndefined();
  });
});

/**
 * 4 classes × 15 photos; at "224" one feature tells {0,1} from {2,3}, at "320" another tells
 * {0,2} from {1,3}: each size alone can only get about half right, both side by side all.
 */
function twoHalves(): { items: LabeledItem[]; at224: Map<string, Float32Array>; at320: Map<string, Float32Array> } {
  const rng = createRng(3);
  const items: LabeledItem[] = [];
  const at224 = new Map<string, Float32Array>();
  const at320 = new Map<string, Float32Array>();
  const view = (signal: number) => [signal + rng.next() * 0.6, rng.next(), rng.next()];
  for (let i = 0; i < 60; i++) {
    const classIndex = i % 4;
    const hash = `h${i}`;
    items.push({ photoId: i + 1, path: `/p/${i}.jpg`, hash, classIndex, split: 'train' });
    const a = classIndex < 2 ? 0 : 2;
    const b = classIndex % 2 === 0 ? 0 : 2;
    at224.set(hash, Float32Array.from([...view(a), ...view(a)]));
    at320.set(hash, Float32Array.from([...view(b), ...view(b)]));
  }
  return { items, at224, at320 };
}

function fitOn(items: LabeledItem[], features: Map<string, Float32Array>) {
  const dim = (features.get(items[0].hash) as Float32Array).length / 2;
  return fitLinearHead(linearRows(items, features, dim, 4), { seed: 1 });
}

describe('choosing multi-scale by cross-validation', () => {
  it('chooses 224+320 when its CV beats both sizes, naming every CV figure', () => {
    const { items, at224, at320 } = twoHalves();
    const tried: Tried[] = [
      { scales: [224], fit: fitOn(items, at224) },
      { scales: [320], fit: fitOn(items, at320) },
      { scales: [224, 320], fit: fitOn(items, multiScaleFeatures([at224, at320])) }
    ];
    const cv = tried.map((t) => t.fit.cv?.cvAccuracy ?? 0);
    expect(cv[2]).toBeGreaterThan(0.9);
    expect(Math.max(cv[0], cv[1])).toBeLessThan(0.7);
    const chosen = decide(tried, []);
    expect(chosen).toMatchObject({ size: 320, scales: [224, 320] });
    expect(chosen.fit).toBe(tried[2].fit);
    expect(chosen.reason).toBe(`224+320 px: CV ${cv[2].toFixed(3)} vs ${cv[0].toFixed(3)} at 224, ${cv[1].toFixed(3)} at 320`);
  });

  it('keeps the single size on a tie (one size predicts at half the cost), and says what it compared and skipped', () => {
    const { items, at224 } = twoHalves();
    const fit224 = fitOn(items, at224);
    // A candidate whose CV equals 224's exactly: the same rows fitted again (deterministic).
    const tie = fitOn(items, at224);
    const chosen = decide(
      [
        { scales: [224], fit: fit224 },
        { scales: [224, 320], fit: tie }
      ],
      ['320 px not tried: the 600 s time budget was used up (610 s so far)']
    );
    expect(tie.cv?.cvAccuracy).toBe(fit224.cv?.cvAccuracy);
    expect(chosen).toMatchObject({ size: 224, scales: [224] });
    expect(chosen.reason).toMatch(/^224 px: CV \d\.\d{3} vs \d\.\d{3} at 224\+320; 320 px not tried/);
  });
});
