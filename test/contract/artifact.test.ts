// The artifact contract (src/contract): the dependency-free reader must read what
// onnx-proto reads, the one check states how to feed a model or says clearly why
// it cannot, and README "Artifacts" states the same names as the code.
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { adam } from '../../src/optim/adam.js';
import { INPUT, META, MODEL_FILE, MODEL_META_KEYS, OUTPUTS, TRAIN_STEP_FILE } from '../../src/contract/artifact.js';
import { checkContract, ContractError, toModelInput, type GraphIO } from '../../src/contract/check.js';
import { ONNX_DTYPES, readOnnxMetadata, readOnnxModel, type TensorInfo } from '../../src/contract/onnx-reader.js';
import { CLASS_LABELS, IMAGE_SIZE, NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mlp } from '../../src/model/mlp.js';
import { buildInference } from '../../src/programs/inference.js';

const { onnx } = onnxProto;

const METADATA = {
  producer: 'onnx-mnist test',
  input: JSON.stringify(INPUT),
  normalization: JSON.stringify(NORMALIZATION),
  class_labels: JSON.stringify(CLASS_LABELS),
  test_accuracy: '0.9780',
  unicode: 'ünïcödé ✓ — 数字',
  empty: '',
};

function model(meta: Record<string, string>): Uint8Array {
  const net = mlp(IMAGE_SIZE, [8], CLASS_LABELS.length);
  const params = Float32Array.from({ length: net.layout.total }, (_, i) => Math.sin(i));
  return serializeModel(buildInference(net, params, NORMALIZATION, [28, 28]), { metadata: meta });
}

/** What onnx-proto decodes, in the reader's terms. */
function decoded(bytes: Uint8Array) {
  const m = onnx.ModelProto.decode(bytes);
  const tensor = (v: onnxProto.onnx.IValueInfoProto): TensorInfo => ({
    name: v.name ?? '',
    dtype: ONNX_DTYPES[v.type?.tensorType?.elemType ?? 0],
    shape: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : -1)),
  });
  return {
    graphName: m.graph?.name ?? '',
    inputs: (m.graph?.input ?? []).map(tensor),
    outputs: (m.graph?.output ?? []).map(tensor),
    metadata: Object.fromEntries(m.metadataProps.map((p) => [p.key, p.value])),
  };
}

describe('readOnnxModel', () => {
  it('reads the same metadata_props and graph inputs/outputs as onnx-proto does, from a real inference model', () => {
    const bytes = model(METADATA);
    expect(readOnnxModel(bytes)).toEqual(decoded(bytes));
    expect(readOnnxMetadata(bytes)).toEqual(METADATA);
    expect(readOnnxModel(bytes)).toMatchObject({
      graphName: 'mnist_mlp',
      inputs: [{ name: 'pixels', dtype: 'float32', shape: [-1, 1, 28, 28] }],
      outputs: [
        { name: 'logits', dtype: 'float32', shape: [-1, 10] },
        { name: 'probabilities', dtype: 'float32', shape: [-1, 10] },
        { name: 'label', dtype: 'int64', shape: [-1] },
      ],
    });
  });

  it('reads a model without metadata as {}, and the last of a repeated key', () => {
    expect(readOnnxMetadata(model({}))).toEqual({});
    const m = onnx.ModelProto.decode(model({ a: '1' }));
    m.metadataProps.push(onnx.StringStringEntryProto.create({ key: 'a', value: '2' }));
    expect(readOnnxMetadata(onnx.ModelProto.encode(m).finish())).toEqual({ a: '2' });
  });

  it('leaves out initializers listed as inputs (older exporters) and reads negative dims as free', () => {
    const m = onnx.ModelProto.decode(model({}));
    const g = m.graph as onnxProto.onnx.GraphProto;
    const init = g.initializer[0];
    g.input.push(onnx.ValueInfoProto.create({ name: init.name, type: { tensorType: { elemType: 1, shape: { dim: (init.dims ?? []).map((d) => ({ dimValue: d })) } } } }));
    g.output[0].type!.tensorType!.shape!.dim![1] = onnx.TensorShapeProto.Dimension.create({ dimValue: -1 });
    const info = readOnnxModel(onnx.ModelProto.encode(m).finish());
    expect(info.inputs.map((i) => i.name)).toEqual(['pixels']);
    expect(info.outputs[0]).toEqual({ name: 'logits', dtype: 'float32', shape: [-1, -1] });
  });

  it('refuses what is not an ONNX model, e.g. an HTML error page or a cut-off download', () => {
    expect(() => readOnnxModel(new TextEncoder().encode('<!doctype html><p>404</p>'))).toThrow(/not an ONNX model/);
    const bytes = model(METADATA);
    expect(() => readOnnxModel(bytes.subarray(0, bytes.length - 7))).toThrow(/not an ONNX model/);
    expect(() => readOnnxModel(new Uint8Array(0))).toThrow(/not an ONNX model/);
  });
});

const GRAPH: GraphIO = readOnnxModel(model({}));
const FULL = {
  inputName: 'pixels', rows: 28, cols: 28, range: [0, 1], inkHigh: true,
  normalization: NORMALIZATION, classLabels: [...CLASS_LABELS], testAccuracy: 0.978,
};

describe('checkContract', () => {
  it('states input name, size, range, polarity, normalization, labels and accuracy from the metadata, with or without the graph', () => {
    expect(checkContract(METADATA)).toEqual(FULL);
    expect(checkContract(METADATA, GRAPH)).toEqual(FULL);
  });

  it('takes the graph and the README defaults where a model has no metadata', () => {
    expect(checkContract({}, GRAPH)).toEqual({ ...FULL, normalization: null, testAccuracy: null });
  });

  it('feeds what the contract says: [0,1] ink high as is, other ranges and polarity mapped', () => {
    const px = new Float32Array(IMAGE_SIZE);
    px[0] = 1; px[1] = 0.5;
    expect(toModelInput(px, checkContract(METADATA))).toEqual(px);
    const other = checkContract({ ...METADATA, input: JSON.stringify({ name: 'x', shape: ['N', 1, 28, 28], range: [0, 255], ink: 'low' }) });
    const fed = toModelInput(px, other);
    expect([fed[0], fed[1], fed[2]]).toEqual([0, 127.5, 255]);
  });

  const input = (o: object) => ({ ...METADATA, input: JSON.stringify({ ...INPUT, ...o }) });
  it.each([
    [{}, /no "input" metadata: was it written by `onnx-mnist train`/],
    [{ input: '{oops' }, /"input" metadata is not JSON/],
    [{ input: 'null' }, /"input" metadata is not an object with a "name"/],
    [{ input: JSON.stringify({ shape: INPUT.shape, range: [0, 1] }) }, /"input" metadata is not an object with a "name"/],
    [input({ dtype: 'uint8' }), /input is "uint8"; onnx-mnist feeds float32/],
    [{ input: JSON.stringify({ name: 'x', shape: ['N', 3, 32, 32], range: [0, 1] }) }, /expects input shape \["N",3,32,32\]; onnx-mnist prepares \[N,1,28,28\]/],
    [{ input: JSON.stringify({ name: 'x', shape: ['N', 1, 28, 28] }) }, /input range undefined is not \[low, high\]/],
    [input({ range: [0, 'max'] }), /input range \[0,"max"\] is not \[low, high\]/],
    [input({ ink: 'dark' }), /input ink "dark" is not "high" or "low"/],
    [{ ...METADATA, normalization: '0.1307' }, /"normalization" metadata is not \{"mean": number, "std": positive number\}: 0\.1307/],
    [{ ...METADATA, normalization: '{"mean":0.1,"std":0}' }, /"normalization" metadata is not/],
    [{ ...METADATA, normalization: 'mean=0.1' }, /"normalization" metadata is not JSON: mean=0\.1/],
    [{ ...METADATA, class_labels: '"0123456789"' }, /"class_labels" metadata is not a list of 10 names/],
    [{ ...METADATA, class_labels: JSON.stringify([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) }, /"class_labels" metadata is not a list of 10 names/],
    [{ ...METADATA, class_labels: JSON.stringify(['a', 'b']) }, /"class_labels" metadata is not a list of 10 names/],
    [{ ...METADATA, test_accuracy: 'high' }, /"test_accuracy" metadata is not a number in \[0, 1\]: high/],
    [{ ...METADATA, test_accuracy: '97.8' }, /"test_accuracy" metadata is not a number in \[0, 1\]/],
    [{ ...METADATA, test_accuracy: '' }, /"test_accuracy" metadata is not a number in \[0, 1\]/],
  ])('malformed metadata %# is one clear error', (meta, message) => {
    expect(() => checkContract(meta as Record<string, string>)).toThrow(ContractError);
    expect(() => checkContract(meta as Record<string, string>)).toThrow(message);
  });

  const io = (inputs: TensorInfo[], outputs = GRAPH.outputs): GraphIO => ({ inputs, outputs });
  const pixels = GRAPH.inputs[0];
  const out = (name: string, dtype: string, shape: number[]) => GRAPH.outputs.map((o) => (o.name === name ? { name, dtype, shape } : o));
  it.each([
    [io([]), /expected one float32 input of shape \[N,1,28,28\], found none/],
    [io([pixels, { ...pixels, name: 'mask' }]), /expected one float32 input .*found pixels float32 \[N,1,28,28\], mask float32/],
    [io([{ ...pixels, dtype: 'uint8' }]), /expected one float32 input .*found pixels uint8 \[N,1,28,28\]/],
    [io([{ ...pixels, shape: [-1, 784] }]), /found pixels float32 \[N,784\]/],
    [io([pixels], out('logits', 'float32', [1, 10])), /output logits has no batch dimension first/],
    [io([pixels], out('logits', 'float16', [-1, 10])), /output logits is float16; onnx-mnist reads float32 and int64/],
    [io([pixels], out('label', 'float32', [-1])), /output label float32 \[N\]; an onnx-mnist artifact has label int64 \[N\]/],
    [io([pixels], out('probabilities', 'float32', [-1, 26])), /output probabilities float32 \[N,26\]; an onnx-mnist artifact has probabilities float32 \[N,10\]/],
    [io([pixels], GRAPH.outputs.slice(0, 2)), /expected outputs 'probabilities' and 'label' \(an onnx-mnist artifact\)/],
  ])('a graph the server and the page cannot run (%#) is one clear error', (graph, message) => {
    expect(() => checkContract({}, graph)).toThrow(ContractError);
    expect(() => checkContract({}, graph)).toThrow(message);
  });

  it('the metadata and the graph must name the same input', () => {
    expect(() => checkContract(input({ name: 'image' }), GRAPH)).toThrow(/"input" metadata names "image", but its graph's input is "pixels"/);
  });
});

describe('README "Artifacts" states the contract of src/contract/artifact.ts', () => {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(`### \`artifacts/${MODEL_FILE}\``), readme.indexOf(`### \`artifacts/${TRAIN_STEP_FILE}\``));
  const rows = (kind: string) => [...section.matchAll(new RegExp(`^\\| ${kind} \\| \`(\\w+)\` \\| (\\w+) \\| \`\\[([^\\]]*)\\]\``, 'gm'))]
    .map((m) => ({ name: m[1], dtype: m[2], shape: m[3].split(',').map((d) => (d === 'N' ? d : Number(d))) }));

  it('the input and outputs', () => {
    expect(rows('input')).toEqual([{ name: INPUT.name, dtype: INPUT.dtype, shape: [...INPUT.shape] }]);
    expect(rows('output')).toEqual(Object.values(OUTPUTS).map((o) => ({ ...o, shape: [...o.shape] })));
  });

  it('the metadata keys', () => {
    expect([...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1])).toEqual([...MODEL_META_KEYS]);
    expect(readme).toMatch(new RegExp(`\`${META.paramLayout}\` metadata`));
    expect(readme).toMatch(new RegExp(`\\(\`${adam().id}\` metadata\\)`));
  });
});
