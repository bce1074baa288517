// The ONNX training step (forward, loss, gradients, Adam) against the independent
// float64 reference, over three steps so bias correction and moments are exercised.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/node/load-dataset.js';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { ADAM_DEFAULTS } from '../../src/optim/adam.js';
import { initParams, mlpLayout } from '../../src/model/mlp.js';
import { mulberry32 } from '../../src/train/random.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { buildTrainStep } from '../../src/programs/training.js';
import { refStep, type RefLayer } from './reference.js';

function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor: number) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(floor, Math.abs(b[i])));
  return worst;
}

describe('train-step.onnx matches a float64 TypeScript reference', () => {
  it('three Adam steps on a batch of 16 MNIST images: parameters, moments and loss', async () => {
    const layout = mlpLayout(784, [128, 64], 10);
    const adam = { ...ADAM_DEFAULTS, lr: 0.01 };
    const session = await ort.InferenceSession.create(serializeModel(buildTrainStep(layout, NORMALIZATION, adam, [28, 28])), { intraOpNumThreads: 1 });
    const data = await loadDataset();
    const N = 16;
    const params = initParams(layout, mulberry32(7));
    const pixels = Float32Array.from(data.train.images.subarray(0, N * 784), (b) => b / 255);
    const labels = Array.from(data.train.labels.subarray(0, N));

    // The reference sees exactly the float32 inputs the graph sees, normalized in float64.
    const x = Float64Array.from(pixels, (p) => (p - NORMALIZATION.mean) / NORMALIZATION.std);
    const layers: RefLayer[] = [];
    for (let l = 0; l < layout.tensors.length; l += 2) {
      const w = layout.tensors[l], b = layout.tensors[l + 1];
      layers.push({ w: Float64Array.from(params.subarray(w.offset, w.offset + w.size)), b: Float64Array.from(params.subarray(b.offset, b.offset + b.size)), out: w.shape[0], in: w.shape[1]! });
    }
    const rm = layers.flatMap((L) => [new Float64Array(L.w.length), new Float64Array(L.b.length)]);
    const rv = layers.flatMap((L) => [new Float64Array(L.w.length), new Float64Array(L.b.length)]);

    const allowed = new Float64Array(layout.total); // differences carry over from step to step
    let p: Float32Array = params, m: Float32Array = new Float32Array(layout.total), v: Float32Array = new Float32Array(layout.total), t = 0;
    for (let step = 1; step <= 3; step++) {
      const r = await session.run({
        params: new ort.Tensor('float32', p, [layout.total]), adam_m: new ort.Tensor('float32', m, [layout.total]),
        adam_v: new ort.Tensor('float32', v, [layout.total]), step: new ort.Tensor('float64', Float64Array.of(t), []),
        pixels: new ort.Tensor('float32', pixels, [N, 1, 28, 28]), labels: new ort.Tensor('int64', BigInt64Array.from(labels, BigInt), [N]),
      });
      const refLoss = refStep(layers, x, labels, rm, rv, step, adam);
      p = r.params_out.data as Float32Array; m = r.adam_m_out.data as Float32Array; v = r.adam_v_out.data as Float32Array;
      t = (r.step_out.data as Float64Array)[0];
      expect(t).toBe(step);
      expect(Math.abs((r.loss.data as Float32Array)[0] - refLoss)).toBeLessThan(1e-5 * refLoss);
      const flat = (parts: Float64Array[]) => { const o = new Float64Array(layout.total); let k = 0; for (const q of parts) { o.set(q, k); k += q.length; } return o; };
      const refP = flat(layers.flatMap((L) => [L.w, L.b]));
      // float32 arithmetic against float64: moments to ~1e-4 relative (of the gradient scale), params to ~1e-6.
      expect(maxRelErr(m, flat(rm), 1e-4 * Math.max(...flat(rm).map(Math.abs)))).toBeLessThan(1e-3);
      expect(maxRelErr(v, flat(rv), 1e-4 * Math.max(...flat(rv)))).toBeLessThan(1e-3);
      // NOTE: where |g| is near eps, Adam turns a tiny float32 rounding of g into a visible
      // change of the step, so each parameter may differ by what its moment error explains.
      const refM = flat(rm), refV = flat(rv);
      const bc1 = 1 - adam.beta1 ** step, bc2 = 1 - adam.beta2 ** step;
      let worst = 0;
      for (let i = 0; i < layout.total; i++) {
        allowed[i] += 2e-6 + (4 * adam.lr / bc1) * Math.abs(m[i] - refM[i]) / (Math.sqrt(refV[i] / bc2) + adam.eps);
        worst = Math.max(worst, Math.abs(p[i] - refP[i]) / allowed[i]);
      }
      expect(worst).toBeLessThan(1);
    }
  });
});
