// A short real run: train on a subset for one epoch, write the artifacts, reload
// them in onnxruntime-node and check accuracy, outputs and metadata.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, type Dataset } from '../../src/node/load-dataset.js';
import { MODEL_META_KEYS, trainStepMetaKeys } from '../../src/contract/artifact.js';
import { checkContract } from '../../src/contract/check.js';
import { readOnnxMetadata, readOnnxModel } from '../../src/contract/onnx-reader.js';
import { DEFAULTS } from '../../src/node/config.js';
import { runTrain } from '../../src/node/run.js';
import { VERSION } from '../../src/version.js';

let out: string;
let data: Dataset;
let said: string[];

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), 'e2e-'));
  data = await loadDataset();
  said = [];
  await runTrain({ ...DEFAULTS, epochs: 1, trainLimit: 12_000, seed: 3, outDir: out }, (l) => said.push(l));
});

describe('train end to end (12k images, 1 epoch)', () => {
  it('writes the model, the training step and the log, and nothing half-written', () => {
    expect(readdirSync(out).sort()).toEqual(['checkpoint.safetensors', 'mnist-mlp.onnx', 'train-log.jsonl', 'train-step.onnx']);
    const log = readFileSync(path.join(out, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ epoch: 1, steps: Math.ceil(12_000 / 64) });
    expect(log[0].testAccuracy).toBeGreaterThan(0.9);
    expect(said.join('\n')).toMatch(/test accuracy of the written model: \d+\.\d+%/);
  });

  it('the reloaded artifact classifies the MNIST test set and its metadata tells the truth', async () => {
    const bytes = readFileSync(path.join(out, 'mnist-mlp.onnx'));
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['pixels']);
    expect(session.outputNames).toEqual(['logits', 'probabilities', 'label']);
    const n = data.test.count;
    const pixels = Float32Array.from(data.test.images, (b) => b / 255);
    const r = await session.run({ pixels: new ort.Tensor('float32', pixels, [n, 1, 28, 28]) });
    expect(r.logits.dims).toEqual([n, 10]);
    expect(r.label.type).toBe('int64');
    const probs = r.probabilities.data as Float32Array, logits = r.logits.data as Float32Array, label = r.label.data as BigInt64Array;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
      expect(Number(label[i])).toBe(row.indexOf(Math.max(...row)));
      if (Number(label[i]) === data.test.labels[i]) hits++;
      if (i < 50) expect(probs.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    const meta = readOnnxMetadata(bytes);
    expect(Object.keys(meta)).toEqual([...MODEL_META_KEYS]);
    expect(hits / n).toBeGreaterThan(0.9);
    expect(Number(meta.test_accuracy)).toBeCloseTo(hits / n, 4);
    expect(JSON.parse(meta.normalization)).toEqual({ mean: 0.1307, std: 0.3081 });
    expect(JSON.parse(meta.class_labels)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(JSON.parse(meta.input)).toMatchObject({ name: 'pixels', shape: ['N', 1, 28, 28], range: [0, 1] });
    expect(JSON.parse(meta.hyperparameters)).toMatchObject({ hidden: [128, 64], batchSize: 64, epochs: 1, seed: 3, trainImages: 12_000, optimizer: { name: 'Adam', lr: 0.001 } });
    expect(meta.epochs).toBe('1');
    expect(meta.producer).toBe(`onnx-mnist ${VERSION}`);
    expect(Object.values(JSON.parse(meta.dataset_sha256))).toContain('ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2');
    const info = readOnnxModel(bytes);
    expect(checkContract(meta, info)).toMatchObject({ inputName: 'pixels', rows: 28, cols: 28, range: [0, 1], inkHigh: true, testAccuracy: Number(meta.test_accuracy) });
  });

  it('train-step.onnx runs one documented step and lowers the loss on its batch', async () => {
    const session = await ort.InferenceSession.create(readFileSync(path.join(out, 'train-step.onnx')));
    expect(session.inputNames).toEqual(['params', 'adam_m', 'adam_v', 'step', 'pixels', 'labels']);
    expect(session.outputNames).toEqual(['params_out', 'adam_m_out', 'adam_v_out', 'step_out', 'loss']);
    const meta = readOnnxMetadata(readFileSync(path.join(out, 'train-step.onnx')));
    expect(Object.keys(meta)).toEqual(trainStepMetaKeys('adam'));
    const layout = JSON.parse(meta.param_layout) as { name: string; shape: number[]; offset: number }[];
    expect(layout.map((t) => t.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    const P = layout.at(-1)!.offset + 10;
    const N = 32;
    const pixels = new ort.Tensor('float32', Float32Array.from(data.test.images.subarray(0, N * 784), (b) => b / 255), [N, 1, 28, 28]);
    const labels = new ort.Tensor('int64', BigInt64Array.from(data.test.labels.subarray(0, N), (x) => BigInt(x)), [N]);
    let state: { params: Float32Array; m: Float32Array; v: Float32Array; t: number } = { params: new Float32Array(P).map((_, i) => Math.sin(i) * 0.05), m: new Float32Array(P), v: new Float32Array(P), t: 0 };
    const losses: number[] = [];
    for (let k = 0; k < 20; k++) {
      const r = await session.run({
        params: new ort.Tensor('float32', state.params, [P]), adam_m: new ort.Tensor('float32', state.m, [P]), adam_v: new ort.Tensor('float32', state.v, [P]),
        step: new ort.Tensor('float64', Float64Array.of(state.t), []), pixels, labels,
      });
      losses.push((r.loss.data as Float32Array)[0]);
      state = { params: r.params_out.data as Float32Array, m: r.adam_m_out.data as Float32Array, v: r.adam_v_out.data as Float32Array, t: (r.step_out.data as Float64Array)[0] };
    }
    expect(state.t).toBe(20);
    expect(losses[19]).toBeLessThan(losses[0] * 0.5);
  });

  it('leaves no temporary files', () => {
    expect(readdirSync(out).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(existsSync(path.join(out, 'mnist-mlp.onnx'))).toBe(true);
  });
});
