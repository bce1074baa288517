// What `onnx-mnist inspect` shows of any ONNX model: its inputs and outputs with
// types and shapes, metadata, op counts (subgraphs included: Loop bodies, If
// branches), parameter count, opsets and IR version. Decoded with onnx-proto (the
// whole ModelProto, not only what our contract reads); pure, no file access.
import onnxProto, { type onnx as proto } from 'onnx-proto';

const { onnx } = onnxProto;
type Int = number | { toNumber(): number } | null | undefined;
const int = (v: Int): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

/** TensorProto.DataType -> name; onnx-proto's schema stops at 16, later ONNX releases added the rest. */
const DTYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};
export const dtypeName = (t: number) => DTYPES[t] ?? `onnx_type_${t}`;

export interface ValueSummary {
  name: string;
  /** Element type of a tensor ('float32'), or the whole type for other kinds ('seq(float32[N,3])'). */
  dtype: string;
  /** Dimensions: a number, a symbolic name, or '?' when unknown; null when the rank itself is unknown or the value is no tensor. */
  shape: (number | string)[] | null;
}

export interface OnnxSummary {
  irVersion: number;
  /** Operator sets, '' being the default domain ai.onnx. */
  opsets: { domain: string; version: number }[];
  producer: string;
  graphName: string;
  docString: string;
  /** Real inputs: initializers that old exporters also list as inputs are left out. */
  inputs: ValueSummary[];
  outputs: ValueSummary[];
  metadata: Record<string, string>;
  /** Node count per operator ('Gemm', or 'domain:Op' outside the default domain), subgraphs included, most frequent first. */
  ops: { op: string; count: number }[];
  nodes: number;
  /** Graphs inside nodes' attributes (Loop bodies, If branches, Scan bodies). */
  subgraphs: number;
  /** Elements of every initializer, in every graph. */
  parameters: number;
  initializers: number;
  /** Model-local functions, with their own node counts. */
  functions: { name: string; nodes: number }[];
}

/** Throws an Error saying why the bytes are not an ONNX model (the caller names the file). */
export function summarizeOnnx(bytes: Uint8Array): OnnxSummary {
  if (bytes.length === 0) throw new Error('the file is empty');
  let m: InstanceType<typeof onnx.ModelProto>;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    const msg = (e as Error).message;
    throw new Error(`not an ONNX model (${/index out of range/.test(msg) ? 'truncated or corrupt protobuf' : 'protobuf'}: ${msg})`);
  }
  // NOTE: protobuf parses many non-protobuf files into a message of unknown fields; a model has both of these.
  if (!m.graph || int(m.irVersion) <= 0) throw new Error(`not an ONNX model (${m.graph ? 'no IR version' : 'no graph'})`);
  const counts = new Map<string, number>();
  const totals = { nodes: 0, subgraphs: 0, parameters: 0, initializers: 0 };
  walk(m.graph, counts, totals);
  const g = m.graph;
  const initNames = new Set((g.initializer ?? []).map((t) => t.name));
  return {
    irVersion: int(m.irVersion),
    opsets: (m.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: int(o.version) })),
    producer: [m.producerName, m.producerVersion].filter(Boolean).join(' '),
    graphName: g.name ?? '',
    docString: m.docString ?? '',
    inputs: (g.input ?? []).filter((v) => !initNames.has(v.name ?? '')).map(valueSummary),
    outputs: (g.output ?? []).map(valueSummary),
    metadata: Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
    ops: [...counts].map(([op, count]) => ({ op, count })).sort((a, b) => b.count - a.count || a.op.localeCompare(b.op)),
    ...totals,
    functions: (m.functions ?? []).map((f) => ({ name: f.domain ? `${f.domain}:${f.name}` : f.name ?? '', nodes: f.node?.length ?? 0 })),
  };
}

type Graph = proto.IGraphProto;

/** Counts the graph's nodes by operator and its initializers' elements, then those of every subgraph. */
function walk(g: Graph, counts: Map<string, number>, totals: { nodes: number; subgraphs: number; parameters: number; initializers: number }): void {
  for (const t of g.initializer ?? []) {
    totals.initializers++;
    totals.parameters += (t.dims ?? []).reduce((a: number, d) => a * int(d), 1);
  }
  for (const s of g.sparseInitializer ?? []) {
    totals.initializers++;
    totals.parameters += (s.dims ?? []).reduce((a: number, d) => a * int(d), 1); // the dense shape, as a stored weight would have
  }
  for (const n of g.node ?? []) {
    totals.nodes++;
    const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}:${n.opType}` : n.opType ?? '';
    counts.set(op, (counts.get(op) ?? 0) + 1);
    for (const a of n.attribute ?? []) {
      for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) {
        totals.subgraphs++;
        walk(sub, counts, totals);
      }
    }
  }
}

type TypeProto = proto.ITypeProto;

function valueSummary(v: proto.IValueInfoProto): ValueSummary {
  const t = v.type;
  if (t?.tensorType) return { name: v.name ?? '', dtype: dtypeName(t.tensorType.elemType ?? 0), shape: dims(t.tensorType.shape) };
  return { name: v.name ?? '', dtype: t ? describeType(t) : 'unknown', shape: null };
}

function dims(shape: proto.ITensorShapeProto | null | undefined): (number | string)[] | null {
  if (!shape) return null;
  // dim is a oneof: unset members decode as null.
  return (shape.dim ?? []).map((d) => (d.dimValue != null ? int(d.dimValue) : d.dimParam || '?'));
}

const shapeText = (s: (number | string)[] | null) => (s ? `[${s.join(',')}]` : '');

/** A type as text: float32[N,10], seq(float32[?]), map(int64,float32), optional(...), sparse float32[...]. */
export function describeType(t: TypeProto): string {
  if (t.tensorType) return `${dtypeName(t.tensorType.elemType ?? 0)}${shapeText(dims(t.tensorType.shape))}`;
  if (t.sparseTensorType) return `sparse ${dtypeName(t.sparseTensorType.elemType ?? 0)}${shapeText(dims(t.sparseTensorType.shape))}`;
  if (t.sequenceType) return `seq(${t.sequenceType.elemType ? describeType(t.sequenceType.elemType) : '?'})`;
  if (t.mapType) return `map(${dtypeName(t.mapType.keyType ?? 0)},${t.mapType.valueType ? describeType(t.mapType.valueType) : '?'})`;
  if (t.optionalType) return `optional(${t.optionalType.elemType ? describeType(t.optionalType.elemType) : '?'})`;
  return 'unknown';
}
