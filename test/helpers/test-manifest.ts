/** A VGG16-shaped model manifest for `payload`, the weights file a test serves in place of the real one. */
import { createHash } from 'node:crypto';
import type { ModelManifest } from '../../src/main/engine/manifests';

export function testManifest(
  payload: Buffer,
  fields: Pick<ModelManifest, 'id' | 'displayName' | 'file' | 'url'> & Partial<ModelManifest>
): ModelManifest {
  return {
    backbone: 'vgg16',
    bundled: false,
    md5: createHash('md5').update(payload).digest('hex'),
    sizeBytes: payload.length,
    licence: 'test',
    preprocessing: 'caffe',
    featureLayer: 'block5_pool',
    featureDim: 512,
    inputSize: 224,
    ...fields
  };
}
