// The training Loop carries the parameters in groups (a large tensor alone, runs of
// small ones together); it must train exactly like the flat single-step model.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/node/load-dataset.js';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { ADAM_DEFAULTS } from '../../src/optim/adam.js';
import { initParams, mlpLayout } from '../../src/model/mlp.js';
import { paramGroups } from '../../src/optim/state-layout.js';
import { mulberry32, permutation } from '../../src/train/random.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { buildTrainLoop, buildTrainStep } from '../../src/programs/training.js';

describe('paramGroups', () => {
  it('puts each large tensor alone and runs of small ones together, covering the vector in order', () => {
    const names = (l: ReturnType<typeof mlpLayout>) => paramGroups(l).map((g) => g.tensors.map((i) => l.tensors[i].name).join('+'));
    expect(names(mlpLayout(784, [128, 64], 10))).toEqual(['fc1.weight', 'fc1.bias+fc2.weight+fc2.bias+fc3.weight+fc3.bias']);
    expect(names(mlpLayout(784, [512, 256], 10))).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias+fc3.weight+fc3.bias']);
    expect(names(mlpLayout(16, [8], 3))).toEqual(['fc1.weight+fc1.bias+fc2.weight+fc2.bias']);
    for (const l of [mlpLayout(784, [128, 64], 10), mlpLayout(784, [512, 256], 10)]) {
      let next = 0;
      for (const g of paramGroups(l)) {
        expect(g.offset).toBe(next);
        expect(g.size).toBe(g.tensors.reduce((s, i) => s + l.tensors[i].size, 0));
        next += g.size;
      }
      expect(next).toBe(l.total);
    }
  });
});

describe('the grouped training Loop', () => {
  it('matches train-step.onnx run step by step: parameters and moments after 6 steps', async () => {
    const layout = mlpLayout(784, [128, 64], 10);
    expect(paramGroups(layout).length).toBeGreaterThan(1);
    const data = await loadDataset();
    const params0 = initParams(layout, mulberry32(5));
    const B = 64, K = 6;
    const order = permutation(B * K, mulberry32(6));
    const f32 = (a: Float32Array) => new ort.Tensor('float32', a, [layout.total]);
    const zeros = () => f32(new Float32Array(layout.total));

    const loopSession = await ort.InferenceSession.create(serializeModel(buildTrainLoop(layout, NORMALIZATION, ADAM_DEFAULTS, 'pytorch')), { intraOpNumThreads: 1 });
    const loop = await loopSession.run({
      params: f32(params0), adam_m: zeros(), adam_v: zeros(), step: new ort.Tensor('float64', Float64Array.of(0), []),
      images: new ort.Tensor('uint8', data.train.images.subarray(0, B * K * 784), [B * K, 784]),
      labels: new ort.Tensor('int32', Int32Array.from(data.train.labels.subarray(0, B * K)), [B * K]),
      batches: new ort.Tensor('int32', order, [K, B]),
    });

    const stepSession = await ort.InferenceSession.create(serializeModel(buildTrainStep(layout, NORMALIZATION, ADAM_DEFAULTS, [28, 28])), { intraOpNumThreads: 1 });
    let state: Record<string, ort.Tensor> = { params: f32(params0), adam_m: zeros(), adam_v: zeros(), step: new ort.Tensor('float64', Float64Array.of(0), []) };
    const losses: number[] = [];
    for (let k = 0; k < K; k++) {
      const idx = order.subarray(k * B, (k + 1) * B);
      const pixels = new Float32Array(B * 784);
      idx.forEach((img, r) => { for (let j = 0; j < 784; j++) pixels[r * 784 + j] = data.train.images[img * 784 + j] / 255; });
      const r = await stepSession.run({
        ...state, pixels: new ort.Tensor('float32', pixels, [B, 1, 28, 28]),
        labels: new ort.Tensor('int64', BigInt64Array.from(idx, (i) => BigInt(data.train.labels[i])), [B]),
      });
      state = { params: r.params_out, adam_m: r.adam_m_out, adam_v: r.adam_v_out, step: r.step_out };
      losses.push((r.loss.data as Float32Array)[0]);
    }
    const maxDiff = (a: ort.Tensor, b: ort.Tensor) => {
      const [x, y] = [a.data as Float32Array, b.data as Float32Array];
      let d = 0, scale = 0;
      for (let i = 0; i < x.length; i++) { d = Math.max(d, Math.abs(x[i] - y[i])); scale = Math.max(scale, Math.abs(y[i])); }
      return d / scale;
    };
    expect(Array.from(loop.losses.data as Float32Array)).toEqual(losses.map((l) => expect.closeTo(l, 5)));
    expect((loop.step_out.data as Float64Array)[0]).toBe(K);
    // Relative to each vector's largest entry: float32 rounding of differently ordered ops.
    expect(maxDiff(loop.params_out, state.params)).toBeLessThan(1e-5);
    expect(maxDiff(loop.adam_m_out, state.adam_m)).toBeLessThan(1e-4);
    expect(maxDiff(loop.adam_v_out, state.adam_v)).toBeLessThan(1e-4);
    // And the untouched-by-grouping check: the state really moved.
    expect(maxDiff(loop.params_out, f32(params0))).toBeGreaterThan(1e-4);
  });
});
