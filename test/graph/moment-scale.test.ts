// The Loop carries Adam's moments unit-scaled (m/(1-b1), v/(1-b2)) to save two passes
// per step; with the scalars adjusted it must train exactly like PyTorch-scaled moments.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/node/load-dataset.js';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { ADAM_DEFAULTS } from '../../src/optim/adam.js';
import { initParams, mlpLayout } from '../../src/model/mlp.js';
import { mulberry32, permutation } from '../../src/train/random.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { buildTrainLoop } from '../../src/programs/training.js';

describe('unit-scaled moments', () => {
  it('give the same parameters as PyTorch-scaled ones, and moments that differ by exactly the scale', async () => {
    const layout = mlpLayout(784, [128, 64], 10);
    const data = await loadDataset();
    const params = initParams(layout, mulberry32(2));
    const order = permutation(2048, mulberry32(3));
    const run = async (scale: 'unit' | 'pytorch') => {
      const s = await ort.InferenceSession.create(serializeModel(buildTrainLoop(layout, NORMALIZATION, ADAM_DEFAULTS, scale)), { intraOpNumThreads: 1 });
      const z = () => new ort.Tensor('float32', new Float32Array(layout.total), [layout.total]);
      const r = await s.run({
        params: new ort.Tensor('float32', params, [layout.total]), adam_m: z(), adam_v: z(), step: new ort.Tensor('float64', Float64Array.of(0), []),
        images: new ort.Tensor('uint8', data.train.images.subarray(0, 2048 * 784), [2048, 784]),
        labels: new ort.Tensor('int32', Int32Array.from(data.train.labels.subarray(0, 2048)), [2048]),
        batches: new ort.Tensor('int32', order.subarray(0, 8 * 64), [8, 64]),
      });
      return { p: r.params_out.data as Float32Array, m: r.adam_m_out.data as Float32Array, v: r.adam_v_out.data as Float32Array, losses: r.losses.data as Float32Array };
    };
    const [unit, torch] = [await run('unit'), await run('pytorch')];
    let dp = 0, dm = 0, dv = 0;
    const mMax = Math.max(...torch.m.map(Math.abs)), vMax = Math.max(...torch.v);
    for (let i = 0; i < layout.total; i++) {
      dp = Math.max(dp, Math.abs(unit.p[i] - torch.p[i]));
      dm = Math.max(dm, Math.abs(unit.m[i] * (1 - ADAM_DEFAULTS.beta1) - torch.m[i]) / mMax);
      dv = Math.max(dv, Math.abs(unit.v[i] * (1 - ADAM_DEFAULTS.beta2) - torch.v[i]) / vMax);
    }
    expect(Array.from(unit.losses)).toEqual(Array.from(torch.losses).map((l, k) => (k === 0 ? l : expect.closeTo(l, 5))));
    expect(unit.losses[0]).toBe(torch.losses[0]);
    expect(dm).toBeLessThan(1e-5);
    expect(dv).toBeLessThan(1e-5);
    expect(dp).toBeLessThan(1e-5); // updates are ~1e-3 per step
    console.log(`8 steps: max |dp| ${dp.toExponential(2)}, max rel dm ${dm.toExponential(2)}, dv ${dv.toExponential(2)}`);
  });
});
