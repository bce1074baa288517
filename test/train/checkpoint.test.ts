// The checkpoint format without a runtime: PyTorch's names, shapes and scaling, an exact
// round trip of every state (so a resumed run can be bit-identical), the RNG's saved
// position, and a named error for every way a checkpoint can fail to fit.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mlp } from '../../src/model/mlp.js';
import { adam } from '../../src/optim/adam.js';
import { sgd } from '../../src/optim/sgd.js';
import { checkpointState, decodeCheckpoint, encodeCheckpoint, type CheckpointInfo } from '../../src/train/checkpoint.js';
import { mulberry32 } from '../../src/train/random.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/safetensors.js';
import { inheritSettings, settingsDiff } from '../../src/train/settings.js';
import type { TrainState } from '../../src/train/trainer.js';
import { TRAIN_DEFAULTS } from '../../src/train/config.js';

const model = mlp(784, [128, 64], 10);
const P = model.layout.total;
const report = (epoch: number) => ({ epoch, steps: 10, seconds: 0.5, trainLoss: 1 / epoch, testLoss: 0.5, testAccuracy: 0.9 });
const info: CheckpointInfo = { hyperparameters: { hidden: [128, 64], optimizer: { name: 'Adam' } }, datasetSha256: { 'train-labels': 'ab12' }, training: [report(1), report(2)] };

/** Float32 values from random bit patterns: every exponent, subnormals and signs included (no NaN/Inf). */
function randomFloats(n: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const bits = Uint32Array.from({ length: n }, () => (rand() * 0xff000000) >>> 0);
  return new Float32Array(bits.buffer).map((x) => (Number.isFinite(x) ? x : 1));
}
const state = (optimizer = adam()): TrainState => ({
  epoch: 2, step: 1234, params: randomFloats(P, 1), rng: 0xdeadbeef,
  slots: Object.fromEntries(optimizer.slots.map((s, i) => [s.name, randomFloats(P, 10 + i)])),
});
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('checkpoint: PyTorch names, shapes and scaling', () => {
  it('Adam: fc1.weight ... fc3.bias as float32 nn.Linear tensors, then exp_avg/exp_avg_sq = stored x (1 - beta)', () => {
    const opt = adam(), s = state(opt);
    const st = decodeSafetensors(encodeCheckpoint(model, opt, s, info), 'c');
    const names = [...st.tensors.keys()];
    expect(names.slice(0, 6)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 'fc3.weight', 'fc3.bias']);
    expect(names.slice(6, 8)).toEqual(['optimizer.fc1.weight.exp_avg', 'optimizer.fc1.weight.exp_avg_sq']);
    expect(names).toHaveLength(18);
    expect(st.tensors.get('fc1.weight')).toMatchObject({ dtype: 'F32', shape: [128, 784] });
    expect(st.tensors.get('fc3.bias')).toMatchObject({ dtype: 'F32', shape: [10] });
    const w = new Float32Array(st.tensors.get('fc2.weight')!.bytes.buffer);
    expect(same(w, s.params.subarray(100_480, 100_480 + 64 * 128))).toBe(true);
    const m = new Float64Array(st.tensors.get('optimizer.fc1.bias.exp_avg')!.bytes.buffer);
    const v = new Float64Array(st.tensors.get('optimizer.fc1.bias.exp_avg_sq')!.bytes.buffer);
    expect(st.tensors.get('optimizer.fc1.bias.exp_avg')).toMatchObject({ dtype: 'F64', shape: [128] });
    for (let i = 0; i < 128; i++) {
      expect(m[i]).toBe(s.slots.exp_avg[100_352 + i] * (1 - 0.9));
      expect(v[i]).toBe(s.slots.exp_avg_sq[100_352 + i] * (1 - 0.999));
    }
    expect(st.metadata).toMatchObject({ format: 'pt', format_version: '1', epoch: '2', step: '1234', rng_state: '{"algorithm":"mulberry32","state":3735928559}' });
    expect(JSON.parse(st.metadata.training)).toEqual(info.training);
  });

  it('SGD: momentum_buffer as float32, unscaled', () => {
    const opt = sgd(), s = state(opt);
    const st = decodeSafetensors(encodeCheckpoint(model, opt, s, info), 'c');
    expect([...st.tensors.keys()].filter((k) => k.startsWith('optimizer.'))).toEqual(model.layout.tensors.map((t) => `optimizer.${t.name}.momentum_buffer`));
    expect(st.tensors.get('optimizer.fc3.weight.momentum_buffer')).toMatchObject({ dtype: 'F32', shape: [10, 64] });
  });

  for (const opt of [adam(), sgd()]) {
    it(`${opt.name}: every bit of parameters, slots, step, epoch and RNG state comes back`, () => {
      const s = state(opt);
      const back = checkpointState(decodeCheckpoint(encodeCheckpoint(model, opt, s, info), 'c'), model, opt);
      expect([back.epoch, back.step, back.rng]).toEqual([2, 1234, 0xdeadbeef]);
      expect(same(back.params, s.params)).toBe(true);
      for (const slot of opt.slots) expect(same(back.slots[slot.name], s.slots[slot.name]), slot.name).toBe(true);
    });
  }
});

describe('checkpoint: the RNG state', () => {
  it('mulberry32(rand.state) continues the stream exactly', () => {
    const a = mulberry32(42);
    for (let i = 0; i < 1000; i++) a();
    const b = mulberry32(a.state);
    expect(Array.from({ length: 100 }, () => b())).toEqual(Array.from({ length: 100 }, () => a()));
    expect(mulberry32(7).state).toBe(7);
  });
});

describe('checkpoint: errors that name the file and the problem', () => {
  const opt = adam();
  const good = () => decodeSafetensors(encodeCheckpoint(model, opt, state(opt), info), 'c');
  /** The checkpoint re-encoded with its metadata changed and tensors kept or replaced. */
  const withMeta = (change: Record<string, string | undefined>) => {
    const st = good();
    const meta = Object.fromEntries(Object.entries({ ...st.metadata, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return encodeSafetensors([{ name: 'x', shape: [1], data: new Float32Array(1) }], meta);
  };

  it('metadata: not ours, another version, bad numbers, RNG or history', () => {
    const msg = (change: Record<string, string | undefined>) => { try { decodeCheckpoint(withMeta(change), 'ck.safetensors'); } catch (e) { return (e as Error).message; } return 'decoded'; };
    expect(msg({ format_version: undefined })).toMatch(/^ck\.safetensors: no format_version in its metadata: not a checkpoint written by onnx-mnist train/);
    expect(msg({ format_version: '2' })).toMatch(/checkpoint format version 2; this onnx-mnist reads version 1/);
    expect(msg({ step: '-3' })).toMatch(/metadata "step" must be an integer/);
    expect(msg({ rng_state: '{"algorithm":"pcg","state":1}' })).toMatch(/rng_state": algorithm "pcg", this onnx-mnist uses mulberry32/);
    expect(msg({ rng_state: '{"algorithm":"mulberry32","state":4294967296}' })).toMatch(/32-bit unsigned integer/);
    expect(msg({ hyperparameters: '{' })).toMatch(/metadata "hyperparameters" is missing or not JSON/);
    expect(msg({ training: JSON.stringify([report(1)]) })).toMatch(/"training" holds 1 epochs' reports, "epoch" says 2/);
    expect(msg({ training: JSON.stringify([report(2), report(1)]) })).toMatch(/"training" must be a list of per-epoch records/);
    // An epoch whose evaluation had not come back is recorded with null test numbers.
    expect(msg({ training: JSON.stringify([report(1), { ...report(2), testLoss: null, testAccuracy: null }]) })).toBe('decoded');
  });

  it('tensors: missing, of another dtype or shape, or more than the run uses', () => {
    const bytes = encodeCheckpoint(model, opt, state(opt), info);
    const other = mlp(784, [100, 64], 10);
    expect(() => checkpointState(decodeCheckpoint(bytes, 'ck'), other, opt)).toThrow(/^ck: tensor "fc1.weight" has shape \[128, 784\], this run's model needs \[100, 784\]/);
    expect(() => checkpointState(decodeCheckpoint(bytes, 'ck'), model, sgd())).toThrow(/^ck: no tensor "optimizer.fc1.weight.momentum_buffer"/);
    const sgdBytes = encodeCheckpoint(model, sgd(), state(sgd()), info);
    expect(() => checkpointState(decodeCheckpoint(sgdBytes, 'ck'), model, opt)).toThrow(/no tensor "optimizer.fc1.weight.exp_avg"/);
    const plus = (extra: { name: string; data: Float32Array | Float64Array }) => {
      const st = good();
      const entries = [...st.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.dtype === 'F64' ? new Float64Array(t.bytes.buffer) : new Float32Array(t.bytes.buffer) }));
      return decodeCheckpoint(encodeSafetensors([...entries, { ...extra, shape: [extra.data.length] }], st.metadata), 'ck');
    };
    expect(() => checkpointState(plus({ name: 'fc4.weight', data: new Float32Array(3) }), model, opt)).toThrow(/holds tensors this run's Adam does not use: fc4.weight/);
    const st = good();
    st.tensors.set('fc1.bias', { ...st.tensors.get('fc1.bias')!, dtype: 'F64', bytes: new Uint8Array(128 * 8) });
    const meta = { ...st.metadata };
    const entries = [...st.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.dtype === 'F64' ? new Float64Array(t.bytes.buffer) : new Float32Array(t.bytes.buffer) }));
    expect(() => checkpointState(decodeCheckpoint(encodeSafetensors(entries, meta), 'ck'), model, opt)).toThrow(/tensor "fc1.bias" is F64, expected F32/);
  });
});

describe('settings of a resumed run', () => {
  const saved = { hidden: [128, 64], batchSize: 32, epochs: 5, seed: 3, optimizer: { name: 'SGD', lr: 0.02, momentum: 0.8 }, loss: 'cross_entropy', trainImages: 6000 };

  it('differences are named by their flags; epochs and the init-from source are not differences', () => {
    expect(settingsDiff(saved, { ...saved, epochs: 9, initFrom: { file: 'a.onnx' } })).toEqual([]);
    expect(settingsDiff(saved, { ...saved, batchSize: 64, optimizer: { ...saved.optimizer, lr: 0.01 } }))
      .toEqual(['--batch-size: 32 in the checkpoint, 64 now', '--lr: 0.02 in the checkpoint, 0.01 now']);
    expect(settingsDiff(saved, { ...saved, optimizer: { name: 'Adam', lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8 } }))
      .toEqual(['--optimizer: "SGD(lr=0.02, momentum=0.8)" in the checkpoint, "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8)" now']);
  });

  it('settings left out come from the checkpoint, given ones stay', () => {
    const all = inheritSettings(TRAIN_DEFAULTS, saved, ['epochs', 'batchSize', 'hidden', 'seed', 'trainLimit', 'optimizer', 'lr', 'momentum']);
    expect(all).toMatchObject({ epochs: 5, batchSize: 32, seed: 3, trainLimit: 6000, optimizer: { name: 'sgd', lr: 0.02, momentum: 0.8 } });
    const some = inheritSettings({ ...TRAIN_DEFAULTS, epochs: 8, optimizer: { name: 'sgd', lr: 0.05 } }, saved, ['batchSize', 'momentum']);
    expect(some).toMatchObject({ epochs: 8, batchSize: 32, seed: 0, optimizer: { name: 'sgd', lr: 0.05, momentum: 0.8 } });
    // Another optimizer asked for: the checkpoint's SGD settings are not forced on it (the mismatch is reported instead).
    expect(inheritSettings({ ...TRAIN_DEFAULTS }, saved, ['lr', 'momentum']).optimizer).toEqual(TRAIN_DEFAULTS.optimizer);
  });
});

describe('README "Artifacts" states the checkpoint as written', () => {
  it('the metadata keys, in the order they are written, and the tensor names', () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### `artifacts/checkpoint.safetensors`'), readme.indexOf('## How training runs fast'));
    const opt = adam();
    const st = decodeSafetensors(encodeCheckpoint(model, opt, state(opt), { ...info, extra: { producer: 'p', execution: '{}' } }), 'c');
    const keys = [...section.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect([...keys].sort()).toEqual(Object.keys(st.metadata).sort());
    for (const slot of [...adam().slots, ...sgd().slots]) expect(section).toContain(`\`optimizer.<param>.${slot.name}\``);
  });
});
