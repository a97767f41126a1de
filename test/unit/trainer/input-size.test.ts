/** Which input sizes a run compares: the photos' own resolution decides which candidates make sense. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inputSizeCandidates, medianShortSide } from '../../../src/main/engine/input-size';
import { resolveBackbone } from '../../../src/main/services/training-plan';

const dir = mkdtempSync(path.join(tmpdir(), 'input-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dirs = { modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user') };

describe('input size candidates', () => {
  it('never upscales small photos: 128 px photos get 224 only, with the reason', () => {
    const plan = inputSizeCandidates('mobilenet_v2_035', 128);
    expect(plan.candidates).toEqual([224]);
    expect(plan.reason).toMatch(/median short side is 128 px/);
  });

  it('lets MobileNetV2 compare 224 and 320 when the photos fill 320', () => {
    expect(inputSizeCandidates('mobilenet_v2_035', 400).candidates).toEqual([224, 320]);
    expect(inputSizeCandidates('mobilenet_v2_100', 290).candidates).toEqual([224, 320]);
    expect(inputSizeCandidates('mobilenet_v2_100', 280).candidates).toEqual([224]);
  });

  it('keeps VGG and custom models at 224', () => {
    for (const id of ['vgg16', 'vgg19', 'custom']) expect(inputSizeCandidates(id, 1000).candidates).toEqual([224]);
  });

  it('takes the median of the known short sides', () => {
    const photos = [
      { width: 400, height: 533 },
      { width: 300, height: 200 },
      { width: null, height: null },
      { width: 1000, height: 900 }
    ];
    expect(medianShortSide(photos)).toBe(400);
    expect(medianShortSide([])).toBeNull();
  });
});

describe('backbone resolution', () => {
  const vgg16 = { backboneId: 'vgg16', network: 'VGG16' };
  const mobilenet = { backboneId: 'mobilenet_v2_035', network: 'MobileNetV2 (width 0.35)' };

  it('follows the network the weights check found in the file, whatever its name', () => {
    const file = path.join(dir, 'my-weights.h5');
    writeFileSync(file, 'x');
    const tm = path.join(dir, 'mobilenet-export');
    mkdirSync(tm);
    writeFileSync(path.join(tm, 'model.json'), '{}');
    expect(resolveBackbone(undefined, file, dirs, vgg16)).toMatchObject({ id: 'vgg16', weightsPath: file });
    expect(resolveBackbone(undefined, tm, dirs, mobilenet)).toMatchObject({ id: 'mobilenet_v2_035', weightsPath: tm });
    expect(resolveBackbone('mobilenet_v2', tm, dirs, mobilenet)).toMatchObject({ id: 'mobilenet_v2' });
  });

  it('refuses weights for another network, naming the one they fit', () => {
    const file = path.join(dir, 'vgg16-notop.h5');
    writeFileSync(file, 'x');
    expect(() => resolveBackbone('vgg19', file, dirs, vgg16)).toThrow(
      expect.objectContaining({ code: 'WEIGHTS_INVALID', message: expect.stringMatching(/VGG16 weights, not vgg19/) })
    );
  });

  it('asks for the backbone when the weights cannot be told', () => {
    const file = path.join(dir, 'unknown.h5');
    writeFileSync(file, 'x');
    expect(() => resolveBackbone(undefined, file, dirs, null)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});
