/** The last stage: base and head saved as one model folder with its labels and preprocessing. */
import { buildClassifier } from './classifier';
import { saveModelFolder } from './model-folder';
import type { ProgressClock } from './progress-clock';
import type { TrainedState } from './trained-state';

export async function saveStage(state: TrainedState, clock: ProgressClock): Promise<void> {
  clock.start('saving', 1);
  state.classifier ??= buildClassifier(state.backbone, state.head, state.job.config.head, state.scales);
  await saveModelFolder(state.classifier, state.job.config.modelDir, {
    labels: state.job.config.classes,
    preprocessing: {
      mode: state.backbone.preprocessing,
      inputSize: state.backbone.inputSize,
      resize: 'shorter-side-center-crop',
      channelOrder: 'RGB',
      backboneId: state.backbone.id,
      ...(state.scales.length > 1 ? { scales: state.scales } : {})
    }
  });
  clock.report(1, 1, { force: true });
}
