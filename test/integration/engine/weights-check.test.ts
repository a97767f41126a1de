/**
 * A weights file is recognised by its layers the moment it is chosen: the right network passes,
 * weights for another network get a message naming the one they fit, and training:start refuses
 * them before any run is recorded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifyWeights } from '../../../src/main/engine/identify-weights';
import { WeightsChecker } from '../../../src/main/services/weights-check';
import { createTrainingProject, type TrainingProject } from '../training/project-fixture';
import { randomVggWeights, writeVggH5 } from '../../unit/engine/fixtures';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const BUNDLED = path.join(REPO_ROOT, 'resources/models/mobilenet_v2_035');
const TM_EXPORT = path.resolve(REPO_ROOT, '../shared/models/mobilenet-v2-0.35-224-tm-base');
const DARKNET = path.resolve(REPO_ROOT, '../shared/models/darknet-tiny-imagenet');
const MODELS_DIR = path.join(REPO_ROOT, 'resources/models');
/** Asks a real training process, as models:check-weights does. */
const checker = new WeightsChecker();
const checkWeights = (file: string, backboneId: string | undefined) => checker.check(file, backboneId, MODELS_DIR);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'weights-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('weights identification', () => {
  it('recognises the bundled base and the Teachable Machine export as MobileNetV2 0.35', async () => {
    expect(await identifyWeights(BUNDLED)).toEqual({ backboneId: 'mobilenet_v2_035', network: 'MobileNetV2 (width 0.35)' });
    expect((await identifyWeights(path.join(TM_EXPORT, 'model.json'))).backboneId).toBe('mobilenet_v2_035');
  });

  it('tells VGG16 from VGG19 in Keras .h5 files', async () => {
    const vgg16 = path.join(dir, 'vgg16.h5');
    const vgg19 = path.join(dir, 'vgg19.h5');
    await writeVggH5(vgg16, randomVggWeights('vgg16'), { naming: 'new' });
    await writeVggH5(vgg19, randomVggWeights('vgg19'), { naming: 'old', withTop: true });
    expect((await identifyWeights(vgg16)).network).toBe('VGG16');
    expect((await identifyWeights(vgg19)).network).toBe('VGG19');
  });

  it('names the network weights fit when they are for another backbone', async () => {
    const check = await checkWeights(BUNDLED, 'vgg16');
    expect(check.ok).toBe(false);
    expect(check.backboneId).toBe('mobilenet_v2_035');
    expect(check.message).toMatch(/These are MobileNetV2 \(width 0\.35\) weights, not VGG16/);
  });

  it('says plainly when a file is no weights at all, or for a network it does not know', async () => {
    const text = path.join(dir, 'notes.h5');
    writeFileSync(text, 'not hdf5');
    expect((await checkWeights(text, undefined)).message).toMatch(/neither a Keras \.h5 file nor a TF\.js model\.json/);
    const darknet = await checkWeights(DARKNET, undefined);
    expect(darknet.ok).toBe(false);
    expect(darknet.message).toMatch(/network this app does not know/);
  });
});

describe('training:start with weights for another network', () => {
  let p: TrainingProject;
  beforeAll(async () => {
    p = await createTrainingProject();
  }, 120_000);
  afterAll(() => p.cleanup());

  it('is refused before any run is recorded', async () => {
    const start = p.handlers['training:start']({
      backboneId: 'vgg16',
      weightsPath: BUNDLED,
      fineTune: false,
      seed: 42
    });
    await expect(start).rejects.toMatchObject({ code: 'WEIGHTS_INVALID', message: expect.stringMatching(/not VGG16/) });
    expect(await p.handlers['training:runs'](undefined)).toEqual([]);
  });
});
