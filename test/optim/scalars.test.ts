// Each optimizer's per-step scalars exist twice: as float64 graph ops (the Loop and
// train-step.onnx) and in JavaScript (programs for providers without float64). They
// must agree to float32 rounding at every step.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/graph/graph.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { OPTIMIZER_CASES } from './cases.js';

describe('per-step scalars: graph and JavaScript agree', () => {
  for (const { title, optimizer } of OPTIMIZER_CASES) {
    it(title, async () => {
      const g = new Graph('scalars');
      const t = g.input('t', 'double', ['K']);
      const out = optimizer.scalars(t);
      const names = Object.keys(optimizer.scalarValues(1));
      expect(Object.keys(out).sort()).toEqual([...names].sort());
      if (names.length === 0) return; // nothing to compare (SGD): the key check above is the test
      g.output(...names.map((n): [string, (typeof out)[string]] => [n, out[n]]));
      const steps = [1, 2, 3, 10, 100, 1000, 9380, 100000];
      const s = await ort.InferenceSession.create(serializeModel(g));
      const r = await s.run({ t: new ort.Tensor('float64', Float64Array.from(steps), [steps.length]) });
      for (const n of names) {
        const js = Float32Array.from(steps, (k) => optimizer.scalarValues(k)[n]);
        const graph = r[n].data as Float32Array;
        steps.forEach((_, i) => expect(Math.abs(js[i] - graph[i]) / Math.abs(graph[i]), `${n} at step ${steps[i]}`).toBeLessThanOrEqual(1.2e-7));
      }
    });
  }
});
