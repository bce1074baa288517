// The training Loop (grouped parameters, the optimizer's own slot storage, per-chunk
// scalars) must train exactly like train-step.onnx driven one step at a time, for
// every optimizer, as built for one thread (groups) and for two (one flat group). Both
// run on one thread here: a pool's GEMM partitions round differently from the step's.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mlp } from '../../src/model/mlp.js';
import { loadDataset } from '../../src/node/load-dataset.js';
import { buildTrainLoop } from '../../src/programs/train-loop.js';
import { buildTrainStep } from '../../src/programs/train-step.js';
import { mulberry32, permutation } from '../../src/train/random.js';
import { OPTIMIZER_CASES } from '../optim/cases.js';

const model = mlp(784, [128, 64], 10);
const P = model.layout.total;
const B = 64, K = 6;

/** max |a - b| over the largest |b|: float32 rounding of differently ordered ops. */
const relDiff = (a: Float32Array, b: Float32Array, scale = 1) => {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] * scale - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return d / m;
};

describe('the training Loop matches train-step.onnx run step by step (6 steps)', () => {
  for (const { title, optimizer } of OPTIMIZER_CASES) for (const threads of [1, 2]) {
    it(`${title}, built for ${threads} thread(s): losses, parameters and optimizer state`, async () => {
      const data = await loadDataset();
      const params0 = model.init(mulberry32(5));
      const order = permutation(B * K, mulberry32(6));
      const f32 = (a: Float32Array) => new ort.Tensor('float32', a, [P]);
      const zeros = () => f32(new Float32Array(P));
      const step0 = () => new ort.Tensor('float64', Float64Array.of(0), []);

      const loopModel = serializeModel(buildTrainLoop(model, optimizer, NORMALIZATION, { ep: 'cpu', threads }));
      const loopSession = await ort.InferenceSession.create(loopModel, { intraOpNumThreads: 1 });
      const loop = await loopSession.run({
        params: f32(params0), ...Object.fromEntries(optimizer.slots.map((s) => [s.name, zeros()])), step: step0(),
        images: new ort.Tensor('uint8', data.train.images.subarray(0, B * K * 784), [B * K, 784]),
        labels: new ort.Tensor('int32', Int32Array.from(data.train.labels.subarray(0, B * K)), [B * K]),
        batches: new ort.Tensor('int32', order, [K, B]),
      });

      const stepSession = await ort.InferenceSession.create(serializeModel(buildTrainStep(model, optimizer, NORMALIZATION, [28, 28])), { intraOpNumThreads: 1 });
      let state: Record<string, ort.Tensor> = { params: f32(params0), ...Object.fromEntries(optimizer.slots.map((s) => [s.io, zeros()])), step: step0() };
      const losses: number[] = [];
      for (let k = 0; k < K; k++) {
        const idx = order.subarray(k * B, (k + 1) * B);
        const pixels = new Float32Array(B * 784);
        idx.forEach((img, r) => { for (let j = 0; j < 784; j++) pixels[r * 784 + j] = data.train.images[img * 784 + j] / 255; });
        const r = await stepSession.run({
          ...state, pixels: new ort.Tensor('float32', pixels, [B, 1, 28, 28]),
          labels: new ort.Tensor('int64', BigInt64Array.from(idx, (i) => BigInt(data.train.labels[i])), [B]),
        });
        state = { params: r.params_out, ...Object.fromEntries(optimizer.slots.map((s) => [s.io, r[`${s.io}_out`]])), step: r.step_out };
        losses.push((r.loss.data as Float32Array)[0]);
      }
      expect(Array.from(loop.losses.data as Float32Array)).toEqual(losses.map((l) => expect.closeTo(l, 5)));
      expect((loop.step_out.data as Float64Array)[0]).toBe(K);
      const data32 = (t: ort.Tensor) => t.data as Float32Array;
      expect(relDiff(data32(loop.params_out), data32(state.params))).toBeLessThan(1e-5);
      // The Loop keeps slots in the optimizer's storage; `scale` converts them to PyTorch's.
      for (const s of optimizer.slots) expect(relDiff(data32(loop[`${s.name}_out`]), data32(state[s.io]), s.scale), s.name).toBeLessThan(1e-4);
      expect(relDiff(data32(loop.params_out), params0)).toBeGreaterThan(1e-4); // the state really moved
    });
  }
});
