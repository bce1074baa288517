// The evaluation worker: answers in order, and a broken one fails loudly instead of hanging.
import { describe, expect, it } from 'vitest';
import { NORMALIZATION } from '../../src/data/mnist-spec.js';
import { mlp } from '../../src/model/mlp.js';
import { mulberry32 } from '../../src/train/random.js';
import { serializeModel } from '../../src/graph/serialize.js';
import { buildEvaluate } from '../../src/programs/evaluate.js';
import { availableParallelism } from 'node:os';
import { Evaluator, startEvaluator } from '../../src/node/evaluator.js';

const model = mlp(4, [3], 10);
const images = Uint8Array.from({ length: 5 * 4 }, (_, i) => (i * 37) % 256);
const labels = Int32Array.of(0, 1, 2, 3, 4);
const session = { ep: 'cpu' as const, threads: 1, spin: false };

describe('Evaluator', () => {
  it('evaluates each parameter vector sent, in order', async () => {
    const ev = Evaluator.start({ model: serializeModel(buildEvaluate(model, NORMALIZATION)), session, images, labels, inputs: 4 });
    try {
      const [a, b] = [model.init(mulberry32(1)), model.init(mulberry32(2))];
      const [ra, rb, ra2] = await Promise.all([ev.evaluate(a), ev.evaluate(b), ev.evaluate(a)]);
      expect(ra).toEqual(ra2);
      expect(ra.loss).not.toBe(rb.loss);
      for (const r of [ra, rb]) {
        expect(Number.isInteger(r.correct) && r.correct >= 0 && r.correct <= 5).toBe(true);
        expect(r.loss).toBeGreaterThan(0);
      }
    } finally {
      await ev.close();
    }
  });

  it('rejects with the reason when the worker cannot load its model', async () => {
    const ev = Evaluator.start({ model: Uint8Array.of(1, 2, 3), session, images, labels, inputs: 4 });
    try {
      await expect(ev.ready).rejects.toThrow(/evaluation worker could not start/);
      await expect(ev.evaluate(new Float32Array(model.layout.total))).rejects.toThrow(/evaluation worker could not start/);
      expect(ev.error).toBeInstanceOf(Error);
    } finally {
      await ev.close();
    }
  });

  it('on the main thread when the training threads take every core: the same numbers', async () => {
    const init = { model: serializeModel(buildEvaluate(model, NORMALIZATION)), session, images, labels, inputs: 4 };
    const params = model.init(mulberry32(3));
    const worker = await startEvaluator(init, 0);
    const inline = await startEvaluator(init, availableParallelism());
    try {
      expect(worker).toBeInstanceOf(Evaluator);
      expect(inline).not.toBeInstanceOf(Evaluator);
      expect(await inline.evaluate(params)).toEqual(await worker.evaluate(params));
    } finally {
      await worker.close();
      await inline.close();
    }
  });
});
