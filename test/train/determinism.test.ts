// Same seed, same data, same threads: the same final weights, bit for bit.
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/node/load-dataset.js';
import { DEFAULTS } from '../../src/node/config.js';
import { train } from '../../src/node/runtime.js';

describe('training is reproducible', () => {
  it('two runs with one seed give identical weights; another seed does not', async () => {
    const data = await loadDataset();
    const cfg = { ...DEFAULTS, epochs: 2, trainLimit: 3_000, chunkSteps: 17 };
    const [a, b, c] = [await train({ ...cfg, seed: 5 }, data), await train({ ...cfg, seed: 5 }, data), await train({ ...cfg, seed: 6 }, data)];
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
    expect(a.epochs.map((e) => e.trainLoss)).toEqual(b.epochs.map((e) => e.trainLoss));
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(c.params.buffer))).toBe(false);
  });

  it('the chunk size (steps per ORT call) does not change the result', async () => {
    const data = await loadDataset();
    const cfg = { ...DEFAULTS, epochs: 1, trainLimit: 2_000, seed: 9 };
    const [a, b] = [await train({ ...cfg, chunkSteps: 100 }, data), await train({ ...cfg, chunkSteps: 7 }, data)];
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
  });
});
