// train-step.onnx (forward, loss, gradients, optimizer) against the independent float64
// reference, over three steps so bias corrections, moments and momentum are exercised.
// One case per optimizer: its train-step.onnx state is PyTorch's, slot by slot.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mlp } from '../../src/model/mlp.js';
import { loadDataset } from '../../src/node/load-dataset.js';
import { buildTrainStep } from '../../src/programs/train-step.js';
import { mulberry32 } from '../../src/train/random.js';
import { OPTIMIZER_CASES } from '../optim/cases.js';
import { refGradients, type RefLayer } from '../optim/reference.js';

const maxAbs = (a: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; };

describe('train-step.onnx matches a float64 TypeScript reference', () => {
  for (const { title, optimizer, ref } of OPTIMIZER_CASES) {
    it(`${title}: three steps on a batch of 16 MNIST images: parameters, optimizer state and loss`, async () => {
      const model = mlp(784, [128, 64], 10);
      const P = model.layout.total;
      const session = await ort.InferenceSession.create(serializeModel(buildTrainStep(model, optimizer, NORMALIZATION, [28, 28])), { intraOpNumThreads: 1 });
      const data = await loadDataset();
      const N = 16;
      const params = model.init(mulberry32(7));
      const pixels = Float32Array.from(data.train.images.subarray(0, N * 784), (b) => b / 255);
      const labels = Array.from(data.train.labels.subarray(0, N));

      // The reference sees exactly the float32 inputs the graph sees, normalized in float64.
      const x = Float64Array.from(pixels, (p) => (p - NORMALIZATION.mean) / NORMALIZATION.std);
      const refP = Float64Array.from(params);
      const tensors = model.layout.tensors;
      const layers: RefLayer[] = [];
      for (let l = 0; l < tensors.length; l += 2) {
        const [w, b] = [tensors[l], tensors[l + 1]];
        // Views into refP: the reference's updates move the layers too.
        layers.push({ w: refP.subarray(w.offset, w.offset + w.size), b: refP.subarray(b.offset, b.offset + b.size), out: w.shape[0], in: w.shape[1] });
      }
      const refState = Object.fromEntries(ref.slots.map((s) => [s, new Float64Array(P)]));
      expect(optimizer.slots.map((s) => s.name)).toEqual(ref.slots);

      const allowed = new Float64Array(P); // differences carry over from step to step
      let p: Float32Array = params, t = 0;
      let state: Record<string, Float32Array> = Object.fromEntries(optimizer.slots.map((s) => [s.io, new Float32Array(P)]));
      for (let step = 1; step <= 3; step++) {
        const f32 = (a: Float32Array) => new ort.Tensor('float32', a, [P]);
        const r = await session.run({
          params: f32(p), ...Object.fromEntries(Object.entries(state).map(([k, v]) => [k, f32(v)])),
          step: new ort.Tensor('float64', Float64Array.of(t), []),
          pixels: new ort.Tensor('float32', pixels, [N, 1, 28, 28]), labels: new ort.Tensor('int64', BigInt64Array.from(labels, BigInt), [N]),
        });
        const { loss: refLoss, grads } = refGradients(layers, x, labels);
        const g = new Float64Array(P);
        grads.forEach((gt, j) => g.set(gt, tensors[j].offset));
        ref.step(refP, g, refState, step);
        p = r.params_out.data as Float32Array;
        state = Object.fromEntries(optimizer.slots.map((s) => [s.io, r[`${s.io}_out`].data as Float32Array]));
        t = (r.step_out.data as Float64Array)[0];
        expect(t).toBe(step);
        expect(Math.abs((r.loss.data as Float32Array)[0] - refLoss)).toBeLessThan(1e-5 * refLoss);
        // float32 arithmetic against float64: each slot to ~1e-4 of its scale, relative.
        const dSlots: Record<string, number> = {};
        for (const s of optimizer.slots) {
          const [got, want] = [state[s.io], refState[s.name]];
          const scale = maxAbs(want);
          let worst = 0;
          for (let i = 0; i < P; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1e-4 * scale, Math.abs(want[i])));
          expect(worst, s.name).toBeLessThan(1e-3);
        }
        let worst = 0;
        for (let i = 0; i < P; i++) {
          for (const s of optimizer.slots) dSlots[s.name] = Math.abs(state[s.io][i] - refState[s.name][i]);
          allowed[i] += 2e-6 + ref.sensitivity(i, refState, dSlots, step);
          worst = Math.max(worst, Math.abs(p[i] - refP[i]) / allowed[i]);
        }
        expect(worst).toBeLessThan(1);
        expect(maxAbs(p.map((q, i) => q - params[i]))).toBeGreaterThan(1e-4); // the step really moved the parameters
      }
    });
  }
});
