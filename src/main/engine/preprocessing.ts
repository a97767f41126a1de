/** Input preprocessing per weights family; must match how the weights were trained. */
import * as tf from '@tensorflow/tfjs';

/** caffe = Keras VGG (RGB→BGR, minus ImageNet BGR means); tf = x/127.5−1; tm = x/127−1 (Teachable Machine). */
export type PreprocessingId = 'caffe' | 'tf' | 'tm';

/** ImageNet channel means in BGR order, as Keras's "caffe" mode subtracts them. */
export const CAFFE_BGR_MEANS = [103.939, 116.779, 123.68] as const;

export function isPreprocessingId(value: unknown): value is PreprocessingId {
  return value === 'caffe' || value === 'tf' || value === 'tm';
}

/** [N,S,S,3] RGB float 0..255 → model input. */
export function preprocessImages(x: tf.Tensor4D, mode: PreprocessingId): tf.Tensor4D {
  return tf.tidy(() => {
    switch (mode) {
      case 'caffe':
        return tf.sub(tf.reverse(x, -1), tf.tensor1d([...CAFFE_BGR_MEANS])) as tf.Tensor4D;
      case 'tf':
        return tf.sub(tf.div(x, 127.5), 1) as tf.Tensor4D;
      case 'tm':
        return tf.sub(tf.div(x, 127), 1) as tf.Tensor4D;
    }
  });
}
