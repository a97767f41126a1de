/** Filter-image settings, compute-free so the CLI can show the defaults without loading TensorFlow.js. */
/** How the images are made; the image side is the filter model's input size. */
export interface FilterSettings {
  /** Gradient-ascent steps. */
  steps: number;
  /** Root-mean-square change of the image per step, in 0–255 pixel levels (the gradient is normalised). */
  stepSize: number;
  /** Largest random shift of the image before each step, px; 0 turns jitter off. */
  jitter: number;
  /**
   * Standard deviation of the Gaussian blur applied to each step's gradient, px; 0 turns it off.
   * It damps the high-frequency patterns plain ascent drifts into, and on MobileNetV2 it also
   * reached higher activations than blurring the image every few steps.
   */
  blurSigma: number;
  /** Seeds the start noise (per filter) and the jitter. */
  seed: number;
}

export const DEFAULT_FILTER_SETTINGS: FilterSettings = {
  steps: 30,
  stepSize: 4,
  jitter: 4,
  blurSigma: 1,
  seed: 1
};
