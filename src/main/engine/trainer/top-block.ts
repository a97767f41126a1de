/**
 * A backbone split where fine-tuning begins: the frozen lower part (input → the one tensor that
 * enters the top block) and the top block as its own small model (that tensor → the feature
 * map), sharing the base's layers and weights. The lower part runs in ONNX Runtime; only the
 * top block (and the head) run, and learn, in tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { Backbone } from '../backbone';

export interface TopBlockSplit {
  /** Layer whose output enters the top block (e.g. block4_pool, block_15_add). */
  cutLayer: string;
  /** Input → cut, over the base's own layers. Never disposed: the base owns its layers. */
  lower: tf.LayersModel;
  /** Cut → feature map, the top block's layers applied to a new input. */
  upper: tf.LayersModel;
  /** Releases the upper model's hold on the shared layers (the base keeps its weights). */
  dispose(): void;
}

interface BaseNode {
  layer: tf.layers.Layer;
  inputs: tf.SymbolicTensor[];
  outputs: tf.SymbolicTensor[];
}

/** The base's own nodes in topological order, from its output back to its input. */
function baseNodes(base: tf.LayersModel): BaseNode[] {
  const seen = new Set<number>();
  const order: BaseNode[] = [];
  const inputs = new Set(base.inputs.map((t) => t.id));
  const visit = (t: tf.SymbolicTensor) => {
    if (seen.has(t.id) || inputs.has(t.id)) return;
    seen.add(t.id);
    const node = t.sourceLayer.inboundNodes[t.nodeIndex];
    node.inputTensors.forEach(visit);
    if (!order.some((n) => n.outputs === node.outputTensors))
      order.push({ layer: t.sourceLayer, inputs: node.inputTensors, outputs: node.outputTensors });
  };
  base.outputs.forEach(visit);
  return order;
}

export function splitAtTopBlock(backbone: Backbone): TopBlockSplit {
  const nodes = baseNodes(backbone.base);
  const top = new Set(backbone.topBlockLayers);
  const start = nodes.findIndex((n) => top.has(n.layer.name));
  if (start < 0 || nodes[start].inputs.length !== 1)
    throw new AppError('UNSUPPORTED', `${backbone.id}: its top block has no single input to fine-tune from.`);
  const cut = nodes[start].inputs[0];
  const upperNodes = nodes.slice(start);
  const inside = new Set([cut.id, ...upperNodes.flatMap((n) => n.outputs.map((o) => o.id))]);
  const crossing = upperNodes.find((n) => n.inputs.some((t) => !inside.has(t.id)));
  if (crossing)
    throw new AppError(
      'UNSUPPORTED',
      `${backbone.id}: layer ${crossing.layer.name} reaches below the top block; cannot fine-tune it apart.`
    );
  const input = tf.input({ shape: cut.shape.slice(1) as number[], name: 'top_block_input' });
  const mapped = new Map<number, tf.SymbolicTensor>([[cut.id, input]]);
  for (const n of upperNodes) {
    const args = n.inputs.map((t) => mapped.get(t.id) as tf.SymbolicTensor);
    const out = n.layer.apply(args.length === 1 ? args[0] : args);
    const outs = Array.isArray(out) ? out : [out];
    n.outputs.forEach((o, i) => mapped.set(o.id, outs[i] as tf.SymbolicTensor));
  }
  const upper = tf.model({ inputs: input, outputs: mapped.get(backbone.base.outputs[0].id) as tf.SymbolicTensor, name: 'top_block' });
  const lower = tf.model({ inputs: backbone.base.inputs, outputs: cut, name: 'below_top_block' });
  return { cutLayer: cut.sourceLayer.name, lower, upper, dispose: () => upper.dispose() };
}
