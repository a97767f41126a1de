/** The engine's public surface: backends, backbones, weights, image pipeline. */
export { initBackend, currentBackend, wasmBinaryDir, type BackendPreference } from './backend';
export { type Backbone, type PoolMode } from './backbone';
export { loadBackbone, hashWeights, detectMobileNetAlpha, type LoadBackboneOptions } from './load-backbone';
export { loadImage, imagesToTensor } from './image';
export { preprocessImages, CAFFE_BGR_MEANS, isPreprocessingId, type PreprocessingId } from './preprocessing';
export { readKerasH5, isHdf5File } from './keras-h5';
export { readTfjsWeights, loadTfjsModel } from './tfjs-folder';
export { assignWeights, canonicalWeightName, type NamedWeights, type WeightArray } from './named-weights';
export { buildVgg, vggConvLayerNames, vggTopBlock, type VggId } from './vgg';
export { buildMobileNetV2, makeDivisible } from './mobilenet-v2';
export { registerWasmTrainingKernels, conv2dBackpropFilterWasm } from './wasm-kernels';
export { readManifests, findManifest, locateWeights, type ModelManifest } from './manifests';
export { openBackboneForward, featureSpec, type FeatureOutput } from './inference/backbone-forward';
export { openFrozenForward, inferenceInfo } from './inference/open-forward';
export type { ForwardSpec, FrozenForward } from './inference/forward-spec';
export { decodeAhead, type DecodedBatch } from './inference/decode-ahead';
export { throughputBatchSize, decodeAheadFor } from './inference/batching';
export { engineStatus } from './engine-status';
