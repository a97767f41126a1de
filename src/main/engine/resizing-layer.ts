/**
 * The Resizing layer the multi-scale classifier resizes with, registered under tfjs's own class
 * name ('Resizing', same config keys) so a saved model.json names a layer stock TF.js knows.
 * tfjs 4.22's own class reports the wrong symbolic shape for a batch ([height, width,
 * inputShape[2]]: no batch axis, the input's width as channels) and fails when tfjs-layers hands
 * its `call` the input as a one-element list; this one computes the same resize (bilinear,
 * corners aligned unless cropToAspectRatio, as stock) with both fixed.
 */
import * as tf from '@tensorflow/tfjs';

interface ResizingArgs {
  height: number;
  width: number;
  interpolation?: 'bilinear';
  cropToAspectRatio?: boolean;
  name?: string;
}

class Resizing extends tf.layers.Layer {
  static className = 'Resizing';
  private readonly height: number;
  private readonly width: number;
  private readonly cropToAspectRatio: boolean;

  constructor(args: ResizingArgs) {
    super({ name: args.name });
    if (args.interpolation !== undefined && args.interpolation !== 'bilinear')
      throw new Error(`Resizing: only bilinear interpolation is supported, not ${String(args.interpolation)}`);
    this.height = args.height;
    this.width = args.width;
    this.cropToAspectRatio = Boolean(args.cropToAspectRatio);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return shape.length === 4 ? [shape[0], this.height, this.width, shape[3]] : [this.height, this.width, shape[shape.length - 1]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.tidy(() => tf.image.resizeBilinear(x, [this.height, this.width], !this.cropToAspectRatio));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: 'bilinear',
      cropToAspectRatio: this.cropToAspectRatio
    };
  }
}
tf.serialization.registerClass(Resizing);

/** A bilinear resize of NHWC images to size×size, corners aligned (the ONNX exporter's Resize mode align_corners). */
export function resizingLayer(size: number, name: string): tf.layers.Layer {
  return new Resizing({ height: size, width: size, name });
}
