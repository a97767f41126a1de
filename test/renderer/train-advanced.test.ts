/**
 * The Train view shows what a run would use as the main side resolves it ('training:plan' with
 * the current settings), never its own guess: the input-size and epochs fields' placeholders,
 * the automatic backbone's name, and the backbone and input size in the summary.
 */
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { setTransport } from '../../src/renderer/api';
import TrainAdvanced from '../../src/renderer/components/TrainAdvanced.vue';
import TrainSetup from '../../src/renderer/components/TrainSetup.vue';
import { useTrainingStore } from '../../src/renderer/stores/training';
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
  it('the empty input-size and epochs fields show what the main side resolved, with why', async () => {
    const training = useTrainingStore();
    await training.refreshPlan();
    const wrapper = mount(TrainAdvanced);
    await flushPromises();
    expect(field(wrapper, 'train-input-size').attributes('placeholder')).toBe('320');
    expect(field(wrapper, 'train-input-size').attributes('title')).toBe("Empty: 320 px, MobileNetV2's default");
    expect(field(wrapper, 'train-epochs').attributes('placeholder')).toBe('50');
    expect(field(wrapper, 'train-backbone-automatic').text()).toBe('Automatic — MobileNetV2 0.35 (ImageNet, fast)');
    expect(backend.callsOf('training:plan')).toEqual([{ fineTune: false, seed: 42 }]);
  });

  it('asks again with every setting once typing pauses, and shows the new answer', async () => {
    const training = useTrainingStore();
    const wrapper = mount(TrainSetup);
    await flushPromises();
    await training.refreshPlan();
    await flushPromises();
    expect(field(wrapper, 'train-backbone-name').text()).toBe('MobileNetV2 0.35 (ImageNet, fast)');
    expect(field(wrapper, 'train-input-choice').text()).toContain("320 px — MobileNetV2's default.");
    training.options.backboneId = 'vgg16';
    training.options.seed = 7;
    await settle(400);
    expect(backend.callsOf('training:plan').at(-1)).toEqual({ fineTune: false, seed: 7, backboneId: 'vgg16' });
    expect(field(wrapper, 'train-backbone-name').text()).toBe('VGG16 (ImageNet)');
    expect(field(wrapper, 'train-input-choice').text()).toContain("224 px — VGG's default.");
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
