// The trainer's two ways to run steps (src/train/steppers.ts) must train alike: the Loop
// (the dataset in once, batches gathered in the graph) and the unrolled program (batches
// staged by JavaScript into buffers reused from call to call), across full 20-step calls,
// single steps and an epoch's short last batch.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/node/config.js';
import { loadDataset } from '../../src/node/load-dataset.js';
import { train } from '../../src/node/runtime.js';

describe('the Loop and the unrolled stepper', () => {
  it('give the same training, up to float32 rounding', async () => {
    const data = await loadDataset();
    // 3,000 images at batch 64: 46 full batches (two 20-step calls, six single steps) and one of 56.
    const cfg = { ...DEFAULTS, epochs: 2, trainLimit: 3_000, seed: 3 };
    const [loop, unrolled] = [await train({ ...cfg, program: 'loop' }, data), await train({ ...cfg, program: 'unrolled' }, data)];
    let d = 0, m = 0;
    loop.params.forEach((x, i) => { d = Math.max(d, Math.abs(x - unrolled.params[i])); m = Math.max(m, Math.abs(x)); });
    expect(d / m).toBeLessThan(1e-4);
    expect(d).toBeGreaterThan(0); // really two programs (they sum in different orders)
    unrolled.epochs.forEach((e, i) => expect(e.trainLoss).toBeCloseTo(loop.epochs[i].trainLoss, 4));
    expect(unrolled.epochs[1].testAccuracy).toBeCloseTo(loop.epochs[1].testAccuracy, 2);
  });
});
