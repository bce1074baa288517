// Resuming for real: a run stopped after 1 epoch and resumed to 3 ends with the weights
// of an uninterrupted 3-epoch run, bit for bit; the optimizer state a checkpoint holds
// is PyTorch's (train-step.onnx, which takes PyTorch's state, continues from it); a
// checkpoint of other settings or data is refused by name; --init-from fine-tunes.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOnnxMetadata } from '../../src/contract/onnx-reader.js';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mlp } from '../../src/model/mlp.js';
import { DEFAULTS } from '../../src/node/config.js';
import { readInitialParams } from '../../src/node/init-from.js';
import { defaultDataDir, loadDataset } from '../../src/node/load-dataset.js';
import { runTrain, type RunOptions } from '../../src/node/run.js';
import { train } from '../../src/node/runtime.js';
import { buildTrainStep } from '../../src/programs/train-step.js';
import { encodeCheckpoint } from '../../src/train/checkpoint.js';
import { mulberry32, permutation } from '../../src/train/random.js';
import { decodeSafetensors, type SafeTensors } from '../../src/train/safetensors.js';
import { OPTIMIZER_CASES } from '../optim/cases.js';

const model = mlp(784, [128, 64], 10);
const tmp = () => mkdtempSync(path.join(tmpdir(), 'resume-'));
const checkpoint = (dir: string) => decodeSafetensors(readFileSync(path.join(dir, 'checkpoint.safetensors')), dir);
/** sha256 over tensors in state_dict order: the parameters, or with `name` another tensor per parameter. */
const sha = (st: SafeTensors, name = (param: string) => param) => {
  const h = createHash('sha256');
  for (const t of model.layout.tensors) h.update(st.tensors.get(name(t.name))!.bytes);
  return h.digest('hex');
};
const base: RunOptions = { ...DEFAULTS, trainLimit: 3_000, seed: 4, outDir: '' };
const quiet = () => {};

describe('train --resume: 1 epoch + resume to 3 = 3 epochs in one go', () => {
  let [a, b] = ['', ''];
  let afterOne: SafeTensors;
  const said: string[] = [];
  beforeAll(async () => {
    [a, b] = [tmp(), tmp()];
    await runTrain({ ...base, epochs: 3, outDir: a }, quiet);
    await runTrain({ ...base, epochs: 1, outDir: b }, quiet);
    afterOne = checkpoint(b);
    // Another chunk size on resume: it changes the calls, not the numbers.
    await runTrain({ ...base, epochs: 3, chunkSteps: 13, outDir: b, resume: b }, (l) => said.push(l));
  }, 120_000);

  it('the same final weights and optimizer state, bit for bit', () => {
    const [ca, cb] = [checkpoint(a), checkpoint(b)];
    expect(sha(cb)).toBe(sha(ca));
    for (const slot of ['exp_avg', 'exp_avg_sq']) expect(sha(cb, (p) => `optimizer.${p}.${slot}`)).toBe(sha(ca, (p) => `optimizer.${p}.${slot}`));
    expect(sha(cb)).not.toBe(sha(afterOne)); // the resumed run really trained
    expect([cb.metadata.epoch, cb.metadata.step, cb.metadata.rng_state]).toEqual([ca.metadata.epoch, ca.metadata.step, ca.metadata.rng_state]);
    expect(cb.metadata.step).toBe(String(3 * Math.ceil(3000 / 64)));
    expect(said.join('\n')).toMatch(/resuming .*checkpoint\.safetensors: 1 epoch\(s\), 47 steps done/);
    expect(said.join('\n')).toMatch(/trained 2 epochs \(epochs 2-3, resumed\)/);
  });

  it('the written model is the same, and its history covers all 3 epochs', async () => {
    const [pa, pb] = await Promise.all([a, b].map(async (d) => (await readInitialParams(path.join(d, 'mnist-mlp.onnx'), model)).params));
    expect(Buffer.from(pb.buffer).equals(Buffer.from(pa.buffer))).toBe(true);
    const [ma, mb] = [a, b].map((d) => readOnnxMetadata(readFileSync(path.join(d, 'mnist-mlp.onnx'))));
    expect(mb.epochs).toBe('3');
    expect(JSON.parse(mb.training)).toEqual(JSON.parse(ma.training));
    expect(mb.hyperparameters).toBe(ma.hyperparameters);
    const log = readFileSync(path.join(b, 'train-log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(JSON.parse(checkpoint(b).metadata.training).map((r: { trainLoss: number }) => r.trainLoss)).toEqual(log.map((r) => r.trainLoss));
  });

  it('refuses a checkpoint made with other settings, naming each, and leaves it alone', async () => {
    const before = readFileSync(path.join(b, 'checkpoint.safetensors'));
    const run = runTrain({ ...base, epochs: 4, batchSize: 32, optimizer: { name: 'adam', lr: 0.01 }, outDir: b, resume: b }, quiet);
    await expect(run).rejects.toThrow(/was made with other settings or data; not resuming it:\n {2}--batch-size: 64 in the checkpoint, 32 now\n {2}--lr: 0.001 in the checkpoint, 0.01 now/);
    expect(readFileSync(path.join(b, 'checkpoint.safetensors')).equals(before)).toBe(true);
  });

  it('refuses a checkpoint made on another dataset, naming the file', async () => {
    const data = tmp(), src = defaultDataDir();
    for (const f of readdirSync(src)) copyFileSync(path.join(src, f), path.join(data, f));
    const labels = readFileSync(path.join(src, 'train-labels-idx1-ubyte'));
    labels[8 + 59_999] = (labels[8 + 59_999] + 1) % 10; // one label of a valid file changed
    writeFileSync(path.join(data, 'train-labels-idx1-ubyte'), labels);
    const run = runTrain({ ...base, epochs: 4, dataDir: data, outDir: b, resume: b }, quiet);
    await expect(run).rejects.toThrow(/dataset file train-labels-idx1-ubyte: sha256 65a50cbbf4e9\.\.\. in the checkpoint, sha256 [0-9a-f]{12}\.\.\. now/);
  });

  it('a checkpoint that already has --epochs only rewrites the artifacts (into another --out: with the checkpoint)', async () => {
    const c = tmp(), said2: string[] = [];
    const model0 = statSync(path.join(b, 'mnist-mlp.onnx')).mtimeMs;
    await runTrain({ ...base, epochs: 2, outDir: c, resume: b }, (l) => said2.push(l));
    expect(said2.join('\n')).toMatch(/the checkpoint has 3 epoch\(s\), --epochs is 2: writing the artifacts from it, no training/);
    expect(said2.join('\n')).not.toMatch(/^epoch /m);
    expect(readdirSync(c).sort()).toEqual(['checkpoint.safetensors', 'mnist-mlp.onnx', 'train-log.jsonl', 'train-step.onnx']);
    expect(sha(checkpoint(c))).toBe(sha(checkpoint(b)));
    expect(readOnnxMetadata(readFileSync(path.join(c, 'mnist-mlp.onnx'))).epochs).toBe('3');
    expect(statSync(path.join(b, 'mnist-mlp.onnx')).mtimeMs).toBe(model0);
  });
});

describe('train --init-from model.onnx', () => {
  it('starts from the model\'s weights with a fresh optimizer, and records where they came from', async () => {
    const [from, out] = [tmp(), tmp()];
    await runTrain({ ...base, epochs: 1, outDir: from }, quiet);
    const said: string[] = [];
    await runTrain({ ...base, epochs: 1, seed: 9, outDir: out, initFrom: path.join(from, 'mnist-mlp.onnx') }, (l) => said.push(l));
    expect(said.join('\n')).toMatch(/initial weights: .*mnist-mlp\.onnx \(fresh optimizer state\)/);
    const ck = checkpoint(out);
    expect([ck.metadata.epoch, ck.metadata.step]).toEqual(['1', '47']); // the optimizer counts from 0 again
    const [first, tuned] = [from, out].map((d) => JSON.parse(readOnnxMetadata(readFileSync(path.join(d, 'mnist-mlp.onnx'))).training)[0].trainLoss);
    expect(tuned).toBeLessThan(first * 0.6); // its first epoch starts where the other run ended
    const hyper = JSON.parse(readOnnxMetadata(readFileSync(path.join(out, 'mnist-mlp.onnx'))).hyperparameters);
    expect(hyper.initFrom).toEqual({ file: 'mnist-mlp.onnx', sha256: createHash('sha256').update(readFileSync(path.join(from, 'mnist-mlp.onnx'))).digest('hex') });
    await expect(runTrain({ ...base, epochs: 1, outDir: tmp(), initFrom: path.join(from, 'train-step.onnx') }, quiet)).rejects.toThrow(/--init-from .*train-step\.onnx: no initializer "fc1\.weight"/);
    await expect(runTrain({ ...base, epochs: 1, outDir: out, resume: out, initFrom: path.join(from, 'mnist-mlp.onnx') }, quiet)).rejects.toThrow(/--resume and --init-from exclude each other/);
  }, 60_000);
});

describe('the optimizer state in a checkpoint is PyTorch\'s', () => {
  for (const { title, optimizer } of OPTIMIZER_CASES) {
    it(`${title}: train-step.onnx continues from epoch 1's checkpoint to epoch 2's`, async () => {
      const data = await loadDataset();
      // NOTE: 5 steps an epoch. The step program and the Loop round differently, so over many
      // steps a pre-activation can cross ReLU's kink in one and not the other (seen at step 10
      // with SGD here: 5e-3 apart at once), which says nothing about the checkpoint.
      const n = 320, B = 64, P = model.layout.total;
      const saved: SafeTensors[] = [];
      const cfg = { ...DEFAULTS, epochs: 2, trainLimit: n, batchSize: B, seed: 2, optimizer: { name: optimizer.id, lr: optimizer.hyper.lr, momentum: optimizer.hyper.momentum } };
      await train(cfg, data, {
        onEpochEnd: (state) => { saved.push(decodeSafetensors(encodeCheckpoint(model, optimizer, state, { hyperparameters: {}, datasetSha256: {}, training: [] }), `epoch ${state.epoch}`)); },
      });
      // What a PyTorch user holds: flat float32 vectors in state_dict order.
      const flat = (st: SafeTensors, name: (t: string) => string) => {
        const out = new Float32Array(P);
        for (const t of model.layout.tensors) {
          const { dtype, bytes } = st.tensors.get(name(t.name))!;
          out.set(dtype === 'F64' ? new Float64Array(bytes.buffer) : new Float32Array(bytes.buffer), t.offset);
        }
        return out;
      };
      const session = await ort.InferenceSession.create(serializeModel(buildTrainStep(model, optimizer, NORMALIZATION, [28, 28])), { intraOpNumThreads: 1 });
      const [one, two] = saved;
      const f32 = (a: Float32Array) => new ort.Tensor('float32', a, [P]);
      let state: Record<string, ort.Tensor> = {
        params: f32(flat(one, (t) => t)), step: new ort.Tensor('float64', Float64Array.of(Number(one.metadata.step)), []),
        ...Object.fromEntries(optimizer.slots.map((s) => [s.io, f32(flat(one, (t) => `optimizer.${t}.${s.name}`))])),
      };
      const order = permutation(n, mulberry32(JSON.parse(one.metadata.rng_state).state));
      for (let k = 0; k < n / B; k++) {
        const idx = order.subarray(k * B, (k + 1) * B);
        const pixels = new Float32Array(B * 784);
        idx.forEach((img, r) => { for (let j = 0; j < 784; j++) pixels[r * 784 + j] = data.train.images[img * 784 + j] / 255; });
        const r = await session.run({ ...state, pixels: new ort.Tensor('float32', pixels, [B, 1, 28, 28]), labels: new ort.Tensor('int64', BigInt64Array.from(idx, (i) => BigInt(data.train.labels[i])), [B]) });
        state = { params: r.params_out, step: r.step_out, ...Object.fromEntries(optimizer.slots.map((s) => [s.io, r[`${s.io}_out`]])) };
      }
      expect((state.step.data as Float64Array)[0]).toBe(Number(two.metadata.step));
      const relDiff = (x: Float32Array, y: Float32Array) => {
        let d = 0, m = 0;
        for (let i = 0; i < x.length; i++) { d = Math.max(d, Math.abs(x[i] - y[i])); m = Math.max(m, Math.abs(y[i])); }
        return d / m;
      };
      expect(relDiff(state.params.data as Float32Array, flat(two, (t) => t))).toBeLessThan(1e-5);
      for (const s of optimizer.slots) {
        const want = flat(two, (t) => `optimizer.${t}.${s.name}`);
        expect(relDiff(state[s.io].data as Float32Array, want), s.name).toBeLessThan(1e-4);
        // Unscaled storage would be off by 1/scale: the check above can tell the scalings apart.
        if (s.scale !== 1) expect(relDiff(state[s.io].data as Float32Array, want.map((v) => v / s.scale))).toBeGreaterThan(0.5);
      }
    });
  }
});
