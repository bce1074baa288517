// The final weights of a short run, hashed on the main of 2026-11-27 (before the
// Model/Optimizer refactor) and pinned here: a refactor that changes one op, one
// operand order or one rounding of the training program changes these hashes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/node/load-dataset.js';
import { DEFAULTS } from '../../src/node/config.js';
import { train } from '../../src/node/runtime.js';

// MLAS picks its GEMM kernels by CPU feature; the hashes were taken on an AVX-512 CPU
// (AMD Zen 4; the Intel Xeons seen here have AVX-512 too).
const avx512 = /\bavx512f\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
const GOLDEN: Record<number, { sha256: string; trainLoss: number[] }> = {
  1: { sha256: 'd1cdfb2b33878b1d1312e89b753454460bc7d82ec85b57fe1f0add93c020c973', trainLoss: [0.7741381372511387, 0.2963103733956814] },
  2: { sha256: '0c6bf2daf456e3cd71cc7451ce147aeb1da4dee0da87d495672458526efc9235', trainLoss: [0.7738732068240642, 0.2963669954240322] },
};

describe('training reproduces the weights recorded before the refactor', () => {
  for (const threads of [1, 2]) {
    it(`${threads} thread(s): 2 epochs, 5,000 images, batch 50, chunks of 23, seed 3`, async () => {
      const data = await loadDataset();
      const r = await train({ ...DEFAULTS, epochs: 2, trainLimit: 5_000, chunkSteps: 23, seed: 3, batchSize: 50, threads }, data);
      const want = GOLDEN[threads];
      if (avx512) {
        expect(createHash('sha256').update(new Uint8Array(r.params.buffer)).digest('hex')).toBe(want.sha256);
        expect(r.epochs.map((e) => e.trainLoss)).toEqual(want.trainLoss);
      } else {
        // Other GEMM kernels round differently: the same training to float32 accumulation noise.
        r.epochs.forEach((e, i) => expect(Math.abs(e.trainLoss - want.trainLoss[i])).toBeLessThan(2e-3));
      }
    });
  }
});
