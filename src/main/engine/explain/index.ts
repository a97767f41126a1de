/**
 * Seeing what the network learned (issue 15): filter images by gradient ascent, and Grad-CAM
 * heatmaps for a trained run. Pure functions of a loaded model with progress and a stop poll,
 * returning plain data, so the CLI calls them directly and the training process can wrap them.
 */
export { DEFAULT_FILTER_SETTINGS, borderCells, type FilterSettings } from './ascent';
export {
  loadFilterModel,
  filterModelFromBackbone,
  networkName,
  type FilterModel,
  type FilterWeightsSource,
  type LoadFilterModelOptions
} from './filter-model';
export { loadRunFilterModel, type LoadRunFilterModelOptions } from './run-filter-model';
export { FILTER_VERSION } from './filter-cache';
export {
  visualizeFilters,
  filterLayers,
  type FilterRequest,
  type FilterImage,
  type FilterProgress,
  type FilterIO,
  type FilterRun
} from './filters';
export { listConvLayers, formatConvLayers, type ConvLayerInfo } from './layers';
export { loadCamModel, camModelFrom, gradCam, type CamModel, type CamResult } from './grad-cam';
export {
  explainPhotos,
  classIndexOf,
  DEFAULT_RENDER_SIZE,
  type ExplainOptions,
  type PhotoExplanation,
  type ExplainIO,
  type ExplainRun
} from './explain-photos';
export { renderOverlayPng, renderHeatmapPng, upsampleCam, jet, camRows } from './overlay';
