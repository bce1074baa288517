// Graph -> ONNX ModelProto bytes (IR 8, opset 17), through onnx-proto's own
// protobufjs classes. Nodes no output depends on are dropped here, so gradient
// rules may build terms nobody asked for.
import onnxProto from 'onnx-proto';
import type { Graph, Node, Value } from './graph.js';
import { onnxTypeOf } from './ops.js';
import type { Attr, ConstTensor } from './types.js';

const { onnx } = onnxProto;
export const IR_VERSION = 8;
export const OPSET = 17;

export interface ModelOptions {
  metadata?: Record<string, string>;
  producerVersion?: string;
  docString?: string;
}

export function serializeModel(graph: Graph, opts: ModelOptions = {}): Uint8Array {
  const used = new Set<string>();
  const proto = graphProto(graph, used);
  proto.initializer = [...graph.initializers.values()]
    .filter(({ value }) => used.has(value.name))
    .map(({ value, tensor }) => tensorProto(value.name, tensor));
  const model = onnx.ModelProto.fromObject({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'onnx-mnist',
    producerVersion: opts.producerVersion ?? '',
    docString: opts.docString ?? '',
    graph: proto,
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The nodes the outputs need, in order, with names of every value they read recorded in `used`. */
function liveNodes(g: Graph, used: Set<string>): Node[] {
  const need = new Set(g.outputs.map((o) => o.name));
  const keep: Node[] = [];
  for (const n of [...g.nodes].reverse()) {
    if (!n.outputs.some((o) => need.has(o.name))) continue;
    keep.push(n);
    for (const i of n.inputs) if (i) need.add(i.name);
    for (const a of Object.values(n.attrs)) if (a.type === 'graph') for (const name of freeNames(a.value)) need.add(name);
  }
  for (const name of need) used.add(name);
  return keep.reverse();
}

/** Names a subgraph reads from enclosing scopes. */
function freeNames(g: Graph): string[] {
  const inner = new Set<string>();
  const probe = new Set<string>();
  liveNodes(g, probe); // the names it reads, without building its protobuf a second time
  for (const v of g.inputs) inner.add(v.name);
  for (const n of g.nodes) for (const o of n.outputs) inner.add(o.name);
  return [...probe].filter((n) => !inner.has(n));
}

function graphProto(g: Graph, used: Set<string>): InstanceType<typeof onnx.GraphProto> {
  const nodes = liveNodes(g, used);
  return onnx.GraphProto.fromObject({
    name: g.name,
    node: nodes.map((n) => ({
      name: n.name,
      opType: n.opType,
      input: n.inputs.map((i) => i?.name ?? ''),
      output: n.outputs.map((o) => o.name),
      attribute: Object.entries(n.attrs).map(([name, a]) => attrProto(name, a, used)),
    })),
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
  });
}

function valueInfo(v: Value) {
  const shape = v.shape && { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name: v.name, type: { tensorType: { elemType: onnxTypeOf(v.dtype), ...(shape ? { shape } : {}) } } };
}

const AT = onnx.AttributeProto.AttributeType;
function attrProto(name: string, a: Attr, used: Set<string>) {
  switch (a.type) {
    case 'int': return { name, type: AT.INT, i: a.value };
    case 'float': return { name, type: AT.FLOAT, f: a.value };
    case 'ints': return { name, type: AT.INTS, ints: [...a.value] };
    case 'floats': return { name, type: AT.FLOATS, floats: [...a.value] };
    case 'string': return { name, type: AT.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor': return { name, type: AT.TENSOR, t: tensorProto('', a.value) };
    case 'graph': return { name, type: AT.GRAPH, g: graphProto(a.value, used) };
  }
}

/** NOTE: rawData is little-endian bytes; writing it avoids protobufjs Long/BigInt handling of int64. */
export function tensorProto(name: string, t: ConstTensor) {
  const d = t.data;
  return {
    name,
    dims: [...t.dims],
    dataType: onnxTypeOf(t.dtype),
    rawData: new Uint8Array(d.buffer, d.byteOffset, d.byteLength),
  };
}
