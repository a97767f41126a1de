/**
 * The input side (px) a run computes features at when the person does not choose one.
 *
 * - VGG16/19: 224, the resolution the weights were trained at and the only one the VGG fc head
 *   (fc6 on a 7×7 map) accepts.
 * - MobileNetV2: 320. ImageNet networks are trained on random-resized 224 crops, which show an
 *   object larger than a whole photo scaled down to 224 does; features of whole photos are
 *   therefore better at a higher resolution (the "FixRes" effect, Touvron et al., NeurIPS 2019).
 *   The size was chosen by 5-fold cross-validation on hymenoptera's train split only (six fold
 *   seeds, the app's own head and early stopping): 224 → 0.926, 288 → 0.930, 320 → 0.939; 256
 *   → 0.928 and 384 → 0.929 over three seeds. It costs about twice the feature time of 224.
 * - Anything else (a custom TF.js model keeps its own input size): 224.
 */
export function defaultInputSize(backboneId: string): number {
  if (backboneId.startsWith('mobilenet_v2')) return 320;
  return 224;
}

/** Why {@link defaultInputSize} picks what it picks, for people. */
export function defaultInputSizeReason(backboneId: string): string {
  if (backboneId.startsWith('mobilenet_v2')) {
    return "MobileNetV2's default: whole photos give better features above the 224 px it was trained at (chosen by cross-validation on training photos)";
  }
  if (backboneId.startsWith('vgg')) return "VGG's default: the size its weights were trained at";
  return 'the default for a model without its own size';
}
