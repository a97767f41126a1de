/**
 * The exporter's intermediate graph: what a tfjs layers-model computes, in Keras's own terms
 * (activations NHWC, conv kernels [kh,kw,cin,cout], depthwise kernels [kh,kw,cin,multiplier],
 * dense kernels [in,out], per-channel vectors on the last axis). Nothing here knows ONNX's
 * NCHW layout: encode-onnx.ts (through layout.ts) is the one place that converts.
 */
import type { PreprocessingId } from '../preprocessing';

/** Static shape in Keras order; null is the batch dimension. */
export type IrShape = (number | null)[];

/** Explicit spatial padding, px. */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export type ActivationFn = 'relu' | 'relu6' | 'leaky-relu' | 'sigmoid' | 'tanh' | 'softmax';

interface Base {
  /** Unique within the graph; names the ONNX node(s). */
  name: string;
  output: string;
}

export type IrNode =
  | (Base & { op: 'image-input'; input: string })
  | (Base & { op: 'preprocess'; input: string; mode: PreprocessingId })
  | (Base & { op: 'mirror-views'; input: string })
  | (Base & { op: 'merge-views'; input: string; mode: 'concat' | 'mean' })
  | (Base & {
      op: 'conv';
      input: string;
      kernel: Float32Array;
      /** [kh, kw, cin, cout], or [kh, kw, cin, multiplier] when depthwise. */
      kernelShape: [number, number, number, number];
      depthwise: boolean;
      bias: Float32Array | null;
      strides: [number, number];
      dilations: [number, number];
      pads: Pads;
    })
  | (Base & { op: 'channel-affine'; input: string; scale: Float32Array; shift: Float32Array })
  | (Base & { op: 'activation'; input: string; fn: ActivationFn; alpha?: number })
  | (Base & { op: 'add'; inputs: string[] })
  /** Channels-last concatenation (the last Keras axis). */
  | (Base & { op: 'concat'; inputs: string[] })
  /** Keras Permute: output axis i (after the batch) is input axis dims[i] (1-based, batch excluded). */
  | (Base & { op: 'permute'; input: string; dims: number[] })
  | (Base & { op: 'pool'; input: string; kind: 'max' | 'avg'; size: [number, number]; strides: [number, number]; pads: Pads })
  | (Base & { op: 'zero-pad'; input: string; pads: Pads })
  | (Base & { op: 'global-pool'; input: string; kind: 'max' | 'avg' })
  | (Base & { op: 'flatten'; input: string })
  /** On the last Keras axis, of a [N, D] or (the multi-scale resize) a rank-4 value. */
  | (Base & { op: 'dense'; input: string; kernel: Float32Array; inDim: number; outDim: number; bias: Float32Array | null });

export type IrOp = IrNode['op'];

/** A node before the builder names its output (distributes over the union). */
export type NewIrNode = IrNode extends infer N ? (N extends IrNode ? Omit<N, 'output'> : never) : never;

/** A whole exported graph: one uint8 RGB image input, one float output. */
export interface IrGraph {
  input: { name: string; size: number };
  nodes: IrNode[];
  output: string;
  /** Keras-order shape of every value. */
  shapes: Map<string, IrShape>;
}

/** Inputs of a node, whatever its kind. */
export function nodeInputs(node: IrNode): string[] {
  return 'inputs' in node ? node.inputs : [node.input];
}

/**
 * Builds a graph step by step, keeping value names unique (nested models may repeat layer
 * names) and every value's shape known.
 */
export class IrBuilder {
  readonly nodes: IrNode[] = [];
  readonly shapes = new Map<string, IrShape>();
  private readonly used = new Set<string>();

  /** A fresh value/node name based on `base`. */
  unique(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./-]/g, '_') || 'v';
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node whose output gets a fresh name derived from `node.name`; returns that name. */
  add(node: NewIrNode, shape: IrShape): string {
    const name = this.unique(node.name);
    const full = { ...node, name, output: name } as IrNode;
    this.nodes.push(full);
    this.shapes.set(name, shape);
    return name;
  }

  shape(value: string): IrShape {
    const s = this.shapes.get(value);
    if (!s) throw new Error(`exporter: value ${value} has no known shape`);
    return s;
  }

  /** Channels of an NHWC (or [N, D]) value: its last dimension. */
  channels(value: string): number {
    const s = this.shape(value);
    const c = s[s.length - 1];
    if (typeof c !== 'number') throw new Error(`exporter: value ${value} has no static channel count`);
    return c;
  }
}
