// loadModel: the server reads a model with the shared reader and check
// (src/contract), and says which file broke the contract and how.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { META } from '../../src/contract/artifact.js';
import { CLASS_LABELS, IMAGE_SIZE, NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mlp } from '../../src/model/mlp.js';
import { buildInference } from '../../src/programs/inference.js';
import { loadModel, ModelFileError, type TensorSpec } from '../../src/serve/model.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(tmpdir(), 'onnx-mnist-model-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function file(name: string, metadata: Record<string, string>): Promise<string> {
  const net = mlp(IMAGE_SIZE, [8], CLASS_LABELS.length);
  const bytes = serializeModel(buildInference(net, new Float32Array(net.layout.total), NORMALIZATION, [28, 28]), { metadata });
  await writeFile(path.join(dir, name), bytes);
  return path.join(dir, name);
}

describe('loadModel', () => {
  it('describes the graph in Open Inference Protocol terms, with the labels from the metadata', async () => {
    const labels = CLASS_LABELS.map((l) => `digit ${l}`);
    const { spec } = await loadModel(await file('good.onnx', { [META.classLabels]: JSON.stringify(labels) }));
    const oip = (t: TensorSpec) => `${t.name} ${t.datatype} [${t.shape}]`;
    expect(spec.inputs.map(oip)).toEqual(['pixels FP32 [-1,1,28,28]']);
    expect(spec.outputs.map(oip)).toEqual(['logits FP32 [-1,10]', 'probabilities FP32 [-1,10]', 'label INT64 [-1,1]']);
    expect(spec.outputs.map((t) => t.modelShape)).toEqual([[-1, 10], [-1, 10], [-1]]);
    expect(spec).toMatchObject({ graphName: 'mnist_mlp', labels, metadata: { [META.classLabels]: JSON.stringify(labels) } });
  });

  it('a model that breaks the contract is a ModelFileError naming the file', async () => {
    const bad = await file('bad.onnx', { [META.classLabels]: '["a"]' });
    await expect(loadModel(bad)).rejects.toThrow(ModelFileError);
    await expect(loadModel(bad)).rejects.toThrow(`${bad}: the model's "class_labels" metadata is not a list of 10 names: ["a"]`);
  });

  it('a file that is not an ONNX model is a ModelFileError naming the file', async () => {
    const html = path.join(dir, 'page.onnx');
    await writeFile(html, '<!doctype html><p>404</p>');
    await expect(loadModel(html)).rejects.toThrow(ModelFileError);
    await expect(loadModel(html)).rejects.toThrow(`${html} is not a readable ONNX model: not an ONNX model`);
  });
});
