// The unrolled program (WebGPU's: no Loop, no float64, no integer gathers; batches
// and scalars from JavaScript) must train like the Loop: run here on the CPU provider,
// K steps of each optimizer against the Loop on the same batches.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { mlp } from '../../src/model/mlp.js';
import { loadDataset } from '../../src/node/load-dataset.js';
import { buildTrainLoop } from '../../src/programs/train-loop.js';
import { buildTrainUnrolled } from '../../src/programs/train-unrolled.js';
import { mulberry32, permutation } from '../../src/train/random.js';
import { OPTIMIZER_CASES } from '../optim/cases.js';

const model = mlp(784, [128, 64], 10);
const P = model.layout.total;
const B = 32, K = 5;

const relDiff = (a: Float32Array, b: Float32Array) => {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return d / m;
};

describe('the unrolled training program matches the Loop', () => {
  for (const { title, optimizer } of OPTIMIZER_CASES) {
    it(`${title}: ${K} steps of batch ${B}, from step 3 on (scalars past the first step)`, async () => {
      const data = await loadDataset();
      const params0 = model.init(mulberry32(11));
      const order = permutation(B * K, mulberry32(12));
      const f32 = (a: Float32Array, dims = [a.length]) => new ort.Tensor('float32', a, dims);
      const slots0 = Object.fromEntries(optimizer.slots.map((s) => [s.name, f32(new Float32Array(P))]));
      const t0 = 3;
      const opts = { intraOpNumThreads: 1 };

      const loop = await (await ort.InferenceSession.create(serializeModel(buildTrainLoop(model, optimizer, NORMALIZATION, { ep: 'cpu', threads: 1 })), opts)).run({
        params: f32(params0), ...slots0, step: new ort.Tensor('float64', Float64Array.of(t0), []),
        images: new ort.Tensor('uint8', data.train.images.subarray(0, B * K * 784), [B * K, 784]),
        labels: new ort.Tensor('int32', Int32Array.from(data.train.labels.subarray(0, B * K)), [B * K]),
        batches: new ort.Tensor('int32', order, [K, B]),
      });

      const program = buildTrainUnrolled(model, optimizer, NORMALIZATION, { ep: 'webgpu', threads: 1 }, K, B);
      const pixels = new Float32Array(B * K * 784), targets = new Float32Array(B * K * 10);
      order.forEach((img, row) => {
        pixels.set(data.train.images.subarray(img * 784, (img + 1) * 784), row * 784);
        targets[row * 10 + data.train.labels[img]] = 1;
      });
      const scalars = Object.fromEntries(Object.keys(optimizer.scalarValues(1)).map((name) =>
        [`scalar_${name}`, f32(Float32Array.from({ length: K }, (_, k) => optimizer.scalarValues(t0 + k + 1)[name]))]));
      const unrolled = await (await ort.InferenceSession.create(serializeModel(program), opts)).run({
        params: f32(params0), ...slots0, ...scalars, pixels: f32(pixels, [B * K, 784]), targets: f32(targets, [B * K, 10]),
      });

      const data32 = (t: ort.Tensor) => t.data as Float32Array;
      expect(Array.from(data32(unrolled.losses))).toEqual(Array.from(data32(loop.losses)).map((l) => expect.closeTo(l, 5)));
      expect(relDiff(data32(unrolled.params_out), data32(loop.params_out))).toBeLessThan(1e-5);
      for (const s of optimizer.slots) expect(relDiff(data32(unrolled[`${s.name}_out`]), data32(loop[`${s.name}_out`])), s.name).toBeLessThan(1e-4);
      expect(relDiff(data32(unrolled.params_out), params0)).toBeGreaterThan(1e-4);
    });
  }
});
