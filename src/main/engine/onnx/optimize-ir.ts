/**
 * Exact rewrites of the IR before encoding: batch norm folded into the conv before it, and
 * zero padding folded into the conv after it. Both change only float rounding (well within the
 * 1e-4 the runtimes are held to) and save a pass over the activation each.
 */
import type { IrGraph, IrNode } from './ir';
import { nodeInputs } from './ir';

type ConvNode = Extract<IrNode, { op: 'conv' }>;

export function optimizeIr(graph: IrGraph): IrGraph {
  let nodes = foldAffineIntoConv(graph.nodes, graph.output);
  nodes = foldPadIntoConv(nodes, graph.output);
  return { ...graph, nodes };
}

/** How many nodes read each value (the graph output counts as a reader). */
function readers(nodes: IrNode[], output: string): Map<string, number> {
  const count = new Map<string, number>([[output, 1]]);
  for (const n of nodes) for (const i of nodeInputs(n)) count.set(i, (count.get(i) ?? 0) + 1);
  return count;
}

/** Replaces every read of `from` by `to`. */
function rename(nodes: IrNode[], from: string, to: string): IrNode[] {
  return nodes.map((n) => {
    if ('inputs' in n) return n.inputs.includes(from) ? { ...n, inputs: n.inputs.map((i) => (i === from ? to : i)) } : n;
    return n.input === from ? { ...n, input: to } : n;
  });
}

/**
 * conv → channel-affine (inference batch norm), where the affine is the conv's only reader:
 * W'[…, o] = W[…, o]·scale[o], b'[o] = b[o]·scale[o] + shift[o].
 */
function foldAffineIntoConv(input: IrNode[], output: string): IrNode[] {
  let nodes = input;
  const count = readers(nodes, output);
  for (const { name } of input) {
    const affine = nodes.find((n) => n.name === name);
    if (affine?.op !== 'channel-affine' || affine.output === output) continue;
    const conv = nodes.find((n) => n.output === affine.input);
    if (conv?.op !== 'conv' || count.get(conv.output) !== 1) continue;
    const folded = scaleConv(conv, affine.scale, affine.shift);
    nodes = rename(
      nodes.filter((n) => n.name !== affine.name).map((n) => (n.name === conv.name ? folded : n)),
      affine.output,
      conv.output
    );
  }
  return nodes;
}

function scaleConv(conv: ConvNode, scale: Float32Array, shift: Float32Array): ConvNode {
  const outChannels = scale.length;
  const kernel = new Float32Array(conv.kernel.length);
  // Keras kernels keep the output channel last ([kh,kw,cin,cout]; depthwise: cin·multiplier in order).
  for (let i = 0; i < kernel.length; i++) kernel[i] = conv.kernel[i] * scale[i % outChannels];
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) bias[o] = (conv.bias ? conv.bias[o] : 0) * scale[o] + shift[o];
  return { ...conv, kernel, bias };
}

/** zero-pad → conv, where the conv is the pad's only reader: the pad becomes the conv's own. */
function foldPadIntoConv(input: IrNode[], output: string): IrNode[] {
  let nodes = input;
  const count = readers(nodes, output);
  for (const pad of input) {
    if (pad.op !== 'zero-pad' || count.get(pad.output) !== 1) continue;
    const conv = nodes.find((n): n is ConvNode => n.op === 'conv' && n.input === pad.output);
    if (!conv) continue;
    const pads = {
      top: conv.pads.top + pad.pads.top,
      bottom: conv.pads.bottom + pad.pads.bottom,
      left: conv.pads.left + pad.pads.left,
      right: conv.pads.right + pad.pads.right
    };
    nodes = nodes.filter((n) => n.name !== pad.name).map((n) => (n.name === conv.name ? { ...conv, input: pad.input, pads } : n));
  }
  return nodes;
}
