// Reads what the contract needs out of an ONNX file: metadata_props and the
// graph's declared inputs and outputs. A protobuf field walker of its own, no
// protobuf library, so the page stays small (onnx-proto's generated schema and
// protobufjs would outweigh the page's own code several times); the server uses
// it too, so there is one reader. Weights and nodes are skipped, never copied.
import type { DTypeName } from './artifact.js';

/** A graph input or output as declared: free or unknown dimensions are -1. */
export interface TensorInfo {
  name: string;
  /** A DTypeName, or `onnx_type_<n>` for element types the contract never uses. */
  dtype: string;
  shape: number[];
}

export interface OnnxModelInfo {
  graphName: string;
  /** Real inputs only: old exporters also list initializers as inputs. */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** metadata_props as key -> value; the last entry wins for a repeated key. */
  metadata: Record<string, string>;
}

/** ONNX TensorProto.DataType -> name. */
export const ONNX_DTYPES: Readonly<Record<number, DTypeName>> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64' };

// Field numbers (onnx.proto) and protobuf wire types.
const MODEL = { graph: 7, metadataProps: 14 }, ENTRY = { key: 1, value: 2 };
const GRAPH = { name: 2, initializer: 5, input: 11, output: 12 }, TENSOR_NAME = 8;
const VALUE_INFO = { name: 1, type: 2 }, TYPE_TENSOR = 1, TENSOR_TYPE = { elemType: 1, shape: 2 };
const SHAPE_DIM = 1, DIM_VALUE = 1;
const VARINT = 0, I64 = 1, LEN = 2, I32 = 5;

/**
 * The model's metadata and I/O. Throws when the bytes are not an ONNX model
 * (e.g. an HTML error page or a cut-off download).
 */
export function readOnnxModel(bytes: Uint8Array): OnnxModelInfo {
  const model = { field: 0, wire: LEN, start: 0, end: bytes.length, value: 0 };
  const metadata: Record<string, string> = {};
  for (const e of all(bytes, model, MODEL.metadataProps, LEN)) {
    metadata[text(bytes, last(bytes, e, ENTRY.key, LEN))] = text(bytes, last(bytes, e, ENTRY.value, LEN));
  }
  const graph = last(bytes, model, MODEL.graph, LEN);
  if (!graph) throw new Error('not an ONNX model (no graph in the file)');
  const initializers = new Set(all(bytes, graph, GRAPH.initializer, LEN).map((t) => text(bytes, last(bytes, t, TENSOR_NAME, LEN))));
  const io = (field: number) => all(bytes, graph, field, LEN).map((v) => tensorInfo(bytes, v));
  return {
    graphName: text(bytes, last(bytes, graph, GRAPH.name, LEN)),
    inputs: io(GRAPH.input).filter((i) => !initializers.has(i.name)),
    outputs: io(GRAPH.output),
    metadata,
  };
}

/** ModelProto.metadata_props as key -> value. */
export const readOnnxMetadata = (bytes: Uint8Array): Record<string, string> => readOnnxModel(bytes).metadata;

/** ValueInfoProto -> name, element type and dims of its tensor type. */
function tensorInfo(b: Uint8Array, v: Field): TensorInfo {
  const type = last(b, v, VALUE_INFO.type, LEN);
  const tensor = type && last(b, type, TYPE_TENSOR, LEN);
  const elemType = tensor && last(b, tensor, TENSOR_TYPE.elemType, VARINT);
  const shape = tensor && last(b, tensor, TENSOR_TYPE.shape, LEN);
  return {
    name: text(b, last(b, v, VALUE_INFO.name, LEN)),
    dtype: ONNX_DTYPES[elemType?.value ?? 0] ?? `onnx_type_${elemType?.value ?? 0}`,
    shape: (shape ? all(b, shape, SHAPE_DIM, LEN) : []).map((d) => {
      const value = last(b, d, DIM_VALUE, VARINT)?.value;
      return value !== undefined && value > 0 && value <= Number.MAX_SAFE_INTEGER ? value : -1; // dim_param, unset or negative
    }),
  };
}

interface Field { field: number; wire: number; start: number; end: number; /** A varint's value. */ value: number }

/** Every occurrence of a field of a message (repeated fields). */
const all = (b: Uint8Array, msg: Field, field: number, wire: number) => [...fields(b, msg)].filter((f) => f.field === field && f.wire === wire);
/** A singular field: the last occurrence wins, as in protobuf. */
const last = (b: Uint8Array, msg: Field, field: number, wire: number): Field | undefined => all(b, msg, field, wire).at(-1);
const utf8 = new TextDecoder();
const text = (b: Uint8Array, f: Field | undefined) => (f ? utf8.decode(b.subarray(f.start, f.end)) : '');

function* fields(b: Uint8Array, msg: Field): Generator<Field> {
  const to = msg.end;
  let p = msg.start;
  const varint = (): number => {
    let v = 0, mul = 1;
    for (;;) {
      if (p >= to) throw new Error('not an ONNX model (truncated protobuf)');
      const byte = b[p++];
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) return v;
      mul *= 128;
      if (mul > 2 ** 63) throw new Error('not an ONNX model (bad varint)');
    }
  };
  while (p < to) {
    const tag = varint();
    const field = Math.floor(tag / 8), wire = tag % 8;
    let start = p, value = 0;
    if (wire === VARINT) value = varint();
    else if (wire === I64) p += 8;
    else if (wire === I32) p += 4;
    else if (wire === LEN) { const n = varint(); start = p; p += n; }
    else throw new Error(`not an ONNX model (protobuf wire type ${wire})`);
    if (p > to || field === 0) throw new Error('not an ONNX model (truncated protobuf)');
    yield { field, wire, start, end: p, value };
  }
}
