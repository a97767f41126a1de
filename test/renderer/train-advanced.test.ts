/**
 * The Train view shows what a run would use as the main side resolves it ('training:plan' with
 * the current settings), never its own guess: the input-size, epochs and time-budget fields'
 * placeholders, the automatic backbone's name, and the backbone, input size and fine-tuning in
 * the summary. With VGG16's weights missing it offers the download, naming the file, with the
 * bytes beside its bar; a finished download becomes the next run's network.
 */
import { flushPromises, mount } from '@vue/test-utils';
import type { BackboneStatus } from '../../src/shared/dto';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import TrainAdvanced from '../../src/renderer/components/TrainAdvanced.vue';
import TrainSetup from '../../src/renderer/components/TrainSetup.vue';
import { useTrainingStore } from '../../src/renderer/stores/training';
import { useWeightsStore } from '../../src/renderer/stores/weights';
import { antsAndBees, createFakeBackend, settle, type FakeBackend } from './fake-transport';

let backend: FakeBackend;

beforeEach(() => {
  localStorage.clear();
  backend = createFakeBackend(4, antsAndBees());
  backend.photos[0].classId = 1;
  backend.photos[1].classId = 2;
  setTransport(backend.transport);
  setActivePinia(createPinia());
});

function field(wrapper: ReturnType<typeof mount>, testId: string): ReturnType<ReturnType<typeof mount>['get']> {
  return wrapper.get(`[data-testid="${testId}"]`);
}

describe('Train settings show the plan', () => {
  it('names 224+320 px among the sizes a run compares when the plan says it compares it (multi-scale)', async () => {
    const training = useTrainingStore();
    await training.refreshPlan();
    const wrapper = mount(TrainSetup);
    await flushPromises();
    const plan = training.plan;
    if (!plan?.choices) throw new Error('no plan');
    training.plan = {
      ...plan,
      choices: {
        ...plan.choices,
        inputSizeCandidates: [224, 320],
        inputSizeMultiScale: true,
        inputSizeReason: 'cross-validation among 224, 320 px and 224+320 px side by side (photos’ median short side 400 px)'
      }
    };
    await flushPromises();
    expect(field(wrapper, 'train-input-choice').text()).toBe(
      'Input size: 224, 320 or 224+320 px — cross-validation among 224, 320 px and 224+320 px side by side (photos’ median short side 400 px).'
    );
  });

  it('the empty input-size and epochs fields show what the main side resolved, with why', async () => {
    const training = useTrainingStore();
    await training.refreshPlan();
    const wrapper = mount(TrainAdvanced);
    await flushPromises();
    expect(field(wrapper, 'train-input-size').attributes('placeholder')).toBe('224');
    expect(field(wrapper, 'train-input-size').attributes('title')).toMatch(/^Empty: 224 px: the photos’ median short side is 64 px/);
    expect(field(wrapper, 'train-epochs').attributes('placeholder')).toBe('50');
    expect(field(wrapper, 'train-budget').attributes('placeholder')).toBe('10');
    expect(field(wrapper, 'train-fine-tune').attributes('title')).toMatch(/^off: too few training photos per class/);
    expect(field(wrapper, 'train-backbone-automatic').text()).toBe('Automatic — MobileNetV2 0.35 (ImageNet, fast)');
    expect(backend.callsOf('training:plan')).toEqual([{ fineTune: 'auto', seed: 42 }]);
  });

  it('asks again with every setting once typing pauses, and shows the new answer', async () => {
    const training = useTrainingStore();
    const wrapper = mount(TrainSetup);
    await flushPromises();
    await training.refreshPlan();
    await flushPromises();
    expect(field(wrapper, 'train-backbone-name').text()).toBe('MobileNetV2 0.35 (ImageNet, fast)');
    expect(field(wrapper, 'train-input-choice').text()).toContain('224 px — the photos’ median short side is 64 px');
    training.options.backboneId = 'vgg16';
    training.options.seed = 7;
    training.options.fineTune = true;
    training.options.budgetMinutes = 30;
    await settle(400);
    expect(backend.callsOf('training:plan').at(-1)).toEqual({ fineTune: true, seed: 7, backboneId: 'vgg16', timeBudgetSeconds: 1800 });
    expect(field(wrapper, 'train-backbone-name').text()).toBe('VGG16 (ImageNet)');
    expect(field(wrapper, 'train-input-choice').text()).toContain('224 px — the size these weights were trained at');
    expect(field(wrapper, 'train-fine-tune-choice').text()).toBe('Refining the network itself (its top block): on: asked for (Always).');
    expect(wrapper.getComponent(TrainAdvanced).get('[data-testid="train-input-size"]').attributes('placeholder')).toBe('224');
  });

  it('says why Train cannot start, as the main side words it', async () => {
    backend.photos[1].classId = 1;
    const training = useTrainingStore();
    const wrapper = mount(TrainSetup);
    await training.refreshPlan();
    await flushPromises();
    expect(field(wrapper, 'train-blocker').text()).toBe('Label photos in at least two classes before training (labeled classes: 1).');
    expect(field(wrapper, 'train-start').attributes('disabled')).toBeDefined();
  });
});

describe('Train settings: weights', () => {
  function backbone(id: string, ready: boolean): BackboneStatus {
    return {
      id,
      displayName: id,
      ready,
      weightsPath: ready ? `/models/${id}` : null,
      sizeBytes: null,
      preprocessing: 'tf',
      featureDim: 1280,
      defaultInputSize: 224,
      bundled: id === 'mobilenet_v2_035',
      note: null,
      partialBytes: null
    };
  }

  it('offers to download VGG16 while its weights are missing, naming the file for offline import; one weights field', () => {
    const training = useTrainingStore();
    training.backbones = [
      backbone('mobilenet_v2_035', true),
      {
        ...backbone('vgg16', false),
        sizeBytes: 58889256,
        displayName: 'VGG16 (ImageNet)',
        note: 'The weights file is vgg16_notop.h5 (from https://example)'
      }
    ];
    const wrapper = mount(TrainAdvanced);
    expect(field(wrapper, 'weights-download-button').text()).toBe('Download VGG16 (≈ 59 MB)');
    expect(field(wrapper, 'weights-download').text()).toContain('vgg16_notop.h5 (from https://example)');
    expect(wrapper.findAll('input[type="text"]')).toHaveLength(1);
  });

  it('offers to resume a download that was cut off, with what is already on disk', () => {
    const training = useTrainingStore();
    training.backbones = [
      backbone('mobilenet_v2_035', true),
      { ...backbone('vgg16', false), sizeBytes: 58889256, displayName: 'VGG16 (ImageNet)', partialBytes: 30_412_000 }
    ];
    const wrapper = mount(TrainAdvanced);
    expect(field(wrapper, 'weights-download-button').text()).toBe('Resume VGG16 download (30 of 59 MB)');
  });

  it('shows the bytes beside the bar while a download runs', async () => {
    const training = useTrainingStore();
    training.backbones = [backbone('mobilenet_v2_035', true), { ...backbone('vgg16', false), displayName: 'VGG16 (ImageNet)' }];
    const wrapper = mount(TrainAdvanced);
    useWeightsStore().onDownloadProgress({ backboneId: 'vgg16', received: 29_400_000, total: 58_889_256 });
    await flushPromises();
    expect(field(wrapper, 'weights-download-button').text()).toBe('Downloading…');
    expect(field(wrapper, 'weights-download-count').text()).toBe('50 % · 29 of 59 MB');
  });

  it('a finished download is the next run’s network, unless another one was chosen meanwhile', async () => {
    const training = useTrainingStore();
    const weights = useWeightsStore();
    const finished = { backboneId: 'vgg16', status: 'completed' as const, backbone: backbone('vgg16', true), error: null };
    await weights.onDownloadFinished(finished);
    expect(training.options.backboneId).toBe('vgg16');
    training.options.backboneId = 'mobilenet_v2_035';
    await weights.onDownloadFinished(finished);
    expect(training.options.backboneId).toBe('mobilenet_v2_035');
  });

  it('offers no download once VGG16 is ready', () => {
    const training = useTrainingStore();
    training.backbones = [backbone('mobilenet_v2_035', true), backbone('vgg16', true)];
    const wrapper = mount(TrainAdvanced);
    expect(wrapper.find('[data-testid="weights-download"]').exists()).toBe(false);
  });
});
