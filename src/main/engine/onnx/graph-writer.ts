/** Collects ONNX nodes and constants (onnx-proto messages) while an exporter walks its graph. */
import onnxProto, { type onnx as Onnx } from 'onnx-proto';

// onnx-proto is CommonJS: its namespace arrives as the default export under Node's ESM loader.
const { onnx } = onnxProto;

type AttrValue = number | number[] | string;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export class GraphWriter {
  readonly nodes: Onnx.INodeProto[] = [];
  readonly initializers: Onnx.ITensorProto[] = [];
  private count = 0;

  node(opType: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}): string {
    const attribute = Object.entries(attrs).map(([name, v]) => attr(name, v));
    this.nodes.push({ opType, input: inputs, output: [output], name: `${output}/${opType}`, attribute });
    return output;
  }

  /** A fresh intermediate name under `base`. */
  temp(base: string): string {
    return `${base}/t${this.count++}`;
  }

  floats(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: bytesOf(data) });
    return name;
  }

  scalar(name: string, value: number): string {
    return this.floats(name, Float32Array.of(value), []);
  }

  int64s(name: string, values: (number | bigint)[]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name, dims: [values.length], dataType: INT64, rawData: bytesOf(data) });
    return name;
  }
}

function attr(name: string, v: AttrValue): Onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
}
