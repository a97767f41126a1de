/** The Advanced fold's input-size field shows the size a run would use when left empty ("auto": chosen by cross-validation). */
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackboneStatus } from '../../src/shared/dto';
import TrainAdvanced from '../../src/renderer/components/TrainAdvanced.vue';
import { useTrainingStore } from '../../src/renderer/stores/training';

function backbone(id: string, ready: boolean, defaultInputSize: number): BackboneStatus {
  return {
    id,
    displayName: id,
    ready,
    weightsPath: ready ? `/models/${id}` : null,
    sizeBytes: null,
    preprocessing: 'tf',
    featureDim: 1280,
    defaultInputSize,
    bundled: id === 'mobilenet_v2_035',
    note: null
  };
}

function placeholder(wrapper: ReturnType<typeof mount>): string | undefined {
  return wrapper.get('[data-testid="train-input-size"]').attributes('placeholder');
}

describe('TrainAdvanced input size', () => {
  beforeEach(() => {
    localStorage.clear();
    setActivePinia(createPinia());
  });

  it('follows the backbone a run would use: chosen, else VGG16 if ready, else the bundled MobileNetV2', async () => {
    const training = useTrainingStore();
    training.backbones = [backbone('mobilenet_v2_035', true, 224), backbone('vgg16', false, 224)];
    const wrapper = mount(TrainAdvanced);
    expect(placeholder(wrapper)).toBe('auto');
    training.backbones = [backbone('mobilenet_v2_035', true, 224), backbone('vgg16', true, 224)];
    await wrapper.vm.$nextTick();
    expect(placeholder(wrapper)).toBe('224');
    training.options.backboneId = 'mobilenet_v2_035';
    await wrapper.vm.$nextTick();
    expect(placeholder(wrapper)).toBe('auto');
  });

  it('offers to download VGG16 while its weights are missing, naming the file for offline import', async () => {
    const training = useTrainingStore();
    training.backbones = [
      backbone('mobilenet_v2_035', true, 224),
      {
        ...backbone('vgg16', false, 224),
        sizeBytes: 58889256,
        displayName: 'VGG16 (ImageNet)',
        note: 'The weights file is vgg16_notop.h5 (from https://example)'
      }
    ];
    const wrapper = mount(TrainAdvanced);
    expect(wrapper.get('[data-testid="weights-download-button"]').text()).toBe('Download VGG16 (≈ 59 MB)');
    expect(wrapper.get('[data-testid="weights-download"]').text()).toContain('vgg16_notop.h5 (from https://example)');
    expect(wrapper.findAll('input[type="text"]')).toHaveLength(1);
  });

  it('says "auto" for a weights path without a chosen backbone (the main side recognises it)', async () => {
    const training = useTrainingStore();
    training.backbones = [backbone('vgg16', true, 224)];
    const wrapper = mount(TrainAdvanced);
    training.options.weightsPath = '/somewhere/mobilenet-export';
    await wrapper.vm.$nextTick();
    expect(placeholder(wrapper)).toBe('auto');
  });
});
