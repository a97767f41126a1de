/**
 * A tfjs layers-model (functional, Sequential, nested, or cut at a feature layer) → IR graph,
 * wrapped with what the app does around it: RGB bytes in, the preprocessing the weights need,
 * optionally the mirror view, and the pooling the caller wants out. The runtime is then given
 * photos as decoded and returns exactly what the feature cache stores.
 */
import * as tf from '@tensorflow/tfjs';
import type { ForwardSpec } from '../inference/forward-spec';
import { IrBuilder, type IrGraph } from './ir';
import { convertLayer, UnsupportedLayerError } from './layer-ops';
import { optimizeIr } from './optimize-ir';

export function buildIr(model: tf.LayersModel, spec: ForwardSpec): IrGraph {
  checkInput(model, spec.inputSize);
  const b = new IrBuilder();
  const size = spec.inputSize;
  const images = b.unique('images');
  b.shapes.set(images, [null, size, size, 3]);
  let x = b.add({ op: 'image-input', name: 'to_float', input: images }, [null, size, size, 3]);
  if (spec.views === 2) x = b.add({ op: 'mirror-views', name: 'mirror_views', input: x }, [null, size, size, 3]);
  x = b.add({ op: 'preprocess', name: `preprocess_${spec.preprocessing}`, input: x, mode: spec.preprocessing }, [null, size, size, 3]);
  const [out] = emitModel(model, [x], b);
  let y = out;
  if (spec.pool !== 'none' && b.shape(y).length === 4) {
    y = b.add({ op: 'global-pool', name: `features_${spec.pool}`, input: y, kind: spec.pool }, [null, b.channels(y)]);
  }
  if (spec.views === 2) {
    if (b.shape(y).length !== 2) throw new Error('exporter: two views need a pooled (rank-2) output');
    const dim = b.channels(y);
    y = b.add({ op: 'merge-views', name: `views_${spec.merge}`, input: y, mode: spec.merge }, [
      null,
      spec.merge === 'concat' ? 2 * dim : dim
    ]);
  }
  return optimizeIr({ input: { name: images, size }, nodes: b.nodes, output: y, shapes: b.shapes });
}

function checkInput(model: tf.LayersModel, size: number): void {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('exporter: only single-input, single-output models');
  const shape = model.inputs[0].shape;
  if (shape.length !== 4 || shape[1] !== size || shape[2] !== size || shape[3] !== 3) {
    throw new Error(`exporter: model input is [${shape.join(',')}], expected [null,${size},${size},3]`);
  }
}

/**
 * Emits `model`'s graph with its inputs bound to `inputs`, walking back from its outputs
 * through each tensor's source layer and node (the public topology tfjs keeps), so only what
 * the outputs depend on is exported — a model cut at a feature layer exports only the cut.
 * A nested model is emitted in place, with its inputs bound to the outer tensors.
 */
export function emitModel(model: tf.LayersModel, inputs: string[], b: IrBuilder): string[] {
  const names = new Map<number, string>();
  model.inputs.forEach((t, i) => names.set(t.id, inputs[i]));
  const visit = (t: tf.SymbolicTensor): string => {
    const known = names.get(t.id);
    if (known !== undefined) return known;
    const layer = t.sourceLayer;
    const node = layer.inboundNodes[t.nodeIndex];
    if (layer.getClassName() === 'InputLayer' || !node) {
      throw new UnsupportedLayerError(layer.name, layer.getClassName(), 'an input the model does not declare');
    }
    const ins = node.inputTensors.map(visit);
    const outs = layer instanceof tf.LayersModel ? emitModel(layer, ins, b) : [convertLayer(layer, ins, b)];
    if (outs.length !== node.outputTensors.length) throw new UnsupportedLayerError(layer.name, layer.getClassName(), 'several outputs');
    node.outputTensors.forEach((o, i) => names.set(o.id, outs[i]));
    return names.get(t.id) as string;
  };
  return model.outputs.map(visit);
}
