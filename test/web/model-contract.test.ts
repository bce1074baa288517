// The page's own reading of the artifact: metadata_props without a protobuf
// library must agree with readMetadata (onnx-proto), and the input contract
// comes from that metadata.
import { describe, expect, it } from 'vitest';
import { CLASS_LABELS, IMAGE_SIZE, INPUT_SHAPE, NORMALIZATION } from '../../src/data/mnist-spec.js';
import { buildInference } from '../../src/programs/inference.js';
import { mlp } from '../../src/model/mlp.js';
import { readMetadata, serializeModel } from '../../src/graph/serialize.js';
import { modelContract, readOnnxMetadata, toModelInput } from '../../src/web/model-contract.js';

const META = {
  producer: 'onnx-mnist test',
  input: JSON.stringify({ name: 'pixels', dtype: 'float32', shape: INPUT_SHAPE, range: [0, 1], ink: 'high' }),
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

describe('readOnnxMetadata', () => {
  it('reads the same metadata_props as onnx-proto does, from a real inference model', () => {
    const bytes = model(META);
    expect(readOnnxMetadata(bytes)).toEqual(readMetadata(bytes));
    expect(readOnnxMetadata(bytes)).toEqual(META);
  });

  it('reads a model without metadata as {}', () => {
    expect(readOnnxMetadata(model({}))).toEqual({});
  });

  it('refuses what is not an ONNX model, e.g. an HTML error page or a cut-off download', () => {
    expect(() => readOnnxMetadata(new TextEncoder().encode('<!doctype html><p>404</p>'))).toThrow(/not an ONNX model/);
    const bytes = model(META);
    expect(() => readOnnxMetadata(bytes.subarray(0, bytes.length - 7))).toThrow(/not an ONNX model/);
    expect(() => readOnnxMetadata(new Uint8Array(0))).toThrow(/not an ONNX model/);
  });
});

describe('modelContract', () => {
  it('states input name, size, range, polarity, normalization and labels from the metadata', () => {
    const c = modelContract(META);
    expect(c).toEqual({
      inputName: 'pixels', rows: 28, cols: 28, range: [0, 1], inkHigh: true,
      normalization: NORMALIZATION, classLabels: [...CLASS_LABELS], testAccuracy: 0.978,
    });
  });

  it('feeds what the contract says: [0,1] ink high as is, other ranges and polarity mapped', () => {
    const px = new Float32Array(IMAGE_SIZE);
    px[0] = 1; px[1] = 0.5;
    expect(toModelInput(px, modelContract(META))).toEqual(px);
    const other = modelContract({ ...META, input: JSON.stringify({ name: 'x', shape: ['N', 1, 28, 28], range: [0, 255], ink: 'low' }) });
    const fed = toModelInput(px, other);
    expect([fed[0], fed[1], fed[2]]).toEqual([0, 127.5, 255]);
  });

  it('says clearly when the model cannot be fed by this page', () => {
    expect(() => modelContract({})).toThrow(/no "input" metadata/);
    expect(() => modelContract({ input: '{oops' })).toThrow(/"input" metadata is not JSON/);
    expect(() => modelContract({ input: JSON.stringify({ name: 'x', shape: ['N', 3, 32, 32], range: [0, 1] }) })).toThrow(/\[N,1,28,28\]/);
    expect(() => modelContract({ input: JSON.stringify({ name: 'x', shape: ['N', 1, 28, 28] }) })).toThrow(/range/);
  });
});
