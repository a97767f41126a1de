/** Which input size a run uses when the person picks none: 224 for VGG, 320 for MobileNetV2. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultInputSize } from '../../../src/main/engine/input-size';
import { resolveBackbone } from '../../../src/main/services/training-plan';

const dir = mkdtempSync(path.join(tmpdir(), 'input-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dirs = { modelsDir: path.join(dir, 'models'), userModelsDir: path.join(dir, 'user') };

describe('default input size', () => {
  it('is 224 for VGG and unknown families, 320 for every MobileNetV2', () => {
    expect(['vgg16', 'vgg19', 'custom'].map(defaultInputSize)).toEqual([224, 224, 224]);
    expect(['mobilenet_v2', 'mobilenet_v2_035', 'mobilenet_v2_100'].map(defaultInputSize)).toEqual([320, 320, 320]);
  });

  it('follows the backbone an explicit weights path resolves to', () => {
    const vgg = path.join(dir, 'my-vgg16-notop.h5');
    writeFileSync(vgg, 'x');
    const tm = path.join(dir, 'mobilenet-export');
    mkdirSync(tm);
    writeFileSync(path.join(tm, 'model.json'), '{}');
    expect(resolveBackbone(undefined, vgg, dirs)).toMatchObject({ id: 'vgg16', inputSize: 224 });
    expect(resolveBackbone(undefined, tm, dirs)).toMatchObject({ id: 'mobilenet_v2', inputSize: 320 });
    expect(resolveBackbone('vgg19', tm, dirs)).toMatchObject({ id: 'vgg19', inputSize: 224 });
  });
});
