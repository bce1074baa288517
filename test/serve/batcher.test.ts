import { describe, expect, it } from 'vitest';
import { IMAGE_SIZE } from '../../src/data/mnist-spec.js';
import { Batcher, QueueFullError, ShuttingDownError } from '../../src/serve/batcher.js';
import type { Outputs, Runner } from '../../src/serve/worker-pool.js';

/**
 * A runner with `workers` workers, each holding up to `depth` jobs, whose runs finish when the
 * test says so; output row i = first pixel of image i.
 */
function fakeRunner(workers = 1, depth = 1) {
  const runs: { n: number; input: Float32Array; finish: () => void }[] = [];
  let busy = 0;
  const runner: Runner = {
    // Jobs go to idle workers first, as the pool's do.
    idle: () => Math.max(0, workers - busy),
    spare: () => (busy >= workers ? Math.max(0, Math.min(workers, workers * depth - busy)) : 0),
    down: () => false,
    run: (parts, n) => {
      const input = new Float32Array(n * IMAGE_SIZE);
      let at = 0;
      for (const p of parts) { input.set(p, at); at += p.length; }
      busy++;
      return new Promise<Outputs>((resolve) => {
        runs.push({
          n, input,
          finish: () => {
            busy--;
            const first = new Float32Array(n);
            for (let i = 0; i < n; i++) first[i] = input[i * IMAGE_SIZE];
            resolve({ first, label: BigInt64Array.from(first, (x) => BigInt(x)) });
          },
        });
      });
    },
  };
  return { runner, runs };
}

/** n images whose first pixels are the given ids. */
const images = (...ids: number[]) => {
  const x = new Float32Array(ids.length * IMAGE_SIZE);
  ids.forEach((id, i) => { x[i * IMAGE_SIZE] = id; });
  return x;
};
/** Lets promise callbacks and the batcher's setImmediate flush run (a few loop turns). */
const tick = async () => { for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); };
const opts = { maxBatchSize: 8, maxQueueDelayMs: 0, maxQueuedImages: 100, queueTimeoutMs: 0 };

describe('Batcher', () => {
  it('runs requests that arrive together as one batch and gives each its own rows', async () => {
    const { runner, runs } = fakeRunner();
    const b = new Batcher(runner, opts);
    const p = [b.infer(images(1), 1), b.infer(images(2, 3), 2), b.infer(images(4), 1)];
    await tick();
    expect(runs.map((r) => r.n)).toEqual([4]);
    runs[0].finish();
    const out = await Promise.all(p);
    expect(out.map((o) => Array.from(o.first as Float32Array))).toEqual([[1], [2, 3], [4]]);
    expect(out.map((o) => Array.from(o.label, Number))).toEqual([[1], [2, 3], [4]]);
  });

  it('queues while the worker is busy, then runs the queue as the next batch, never above the max', async () => {
    const { runner, runs } = fakeRunner();
    const b = new Batcher(runner, opts);
    const first = b.infer(images(0), 1);
    await tick();
    const later = Array.from({ length: 5 }, (_, i) => b.infer(images(10 + 2 * i, 11 + 2 * i), 2)); // 10 images
    await tick();
    expect(runs.map((r) => r.n)).toEqual([1]);
    expect(b.queueLength()).toBe(5);
    runs[0].finish();
    await first;
    await tick();
    expect(runs.map((r) => r.n)).toEqual([1, 8]); // 4 requests fit in 8; the fifth waits
    runs[1].finish();
    await tick();
    await tick();
    expect(runs.map((r) => r.n)).toEqual([1, 8, 2]);
    runs[2].finish();
    expect((await Promise.all(later)).map((o) => Array.from(o.first as Float32Array))).toEqual([[10, 11], [12, 13], [14, 15], [16, 17], [18, 19]]);
  });

  it('waits up to the max queue delay for company when a worker is free', async () => {
    const { runner, runs } = fakeRunner();
    const b = new Batcher(runner, { ...opts, maxQueueDelayMs: 40 });
    const t0 = performance.now();
    const a = b.infer(images(1), 1);
    await new Promise((r) => setTimeout(r, 10));
    const c = b.infer(images(2), 1);
    expect(runs).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(runs.map((r) => r.n)).toEqual([2]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(39);
    runs[0].finish();
    await Promise.all([a, c]);
  });

  it('does not wait out the delay once a full batch is queued', async () => {
    const { runner, runs } = fakeRunner();
    const b = new Batcher(runner, { ...opts, maxQueueDelayMs: 10_000 });
    const p = b.infer(images(1, 2, 3, 4, 5, 6, 7, 8), 8);
    await tick();
    expect(runs.map((r) => r.n)).toEqual([8]);
    runs[0].finish();
    await p;
  });

  it('refuses work beyond the queue bound, and batches larger than the max', async () => {
    const { runner, runs } = fakeRunner();
    const b = new Batcher(runner, { ...opts, maxQueuedImages: 2 });
    const running = b.infer(images(1), 1);
    await tick(); // now running, not queued
    const queued = [b.infer(images(2), 1), b.infer(images(3), 1)];
    await expect(b.infer(images(4), 1)).rejects.toBeInstanceOf(QueueFullError);
    await expect(b.infer(images(...Array(9).fill(0)), 9)).rejects.toThrow(/limit is 1\.\.8/);
    runs[0].finish();
    await running;
    await tick();
    runs[1].finish();
    await Promise.all(queued);
  });

  it('drain finishes everything queued and running, and refuses new work meanwhile', async () => {
    const { runner, runs } = fakeRunner();
    const b = new Batcher(runner, { ...opts, maxBatchSize: 1 });
    const p = [b.infer(images(1), 1), b.infer(images(2), 1), b.infer(images(3), 1)];
    await tick();
    let drained = false;
    const d = b.drain().then(() => { drained = true; });
    await expect(b.infer(images(9), 1)).rejects.toBeInstanceOf(ShuttingDownError);
    for (let i = 0; i < 3; i++) {
      expect(drained).toBe(false);
      await tick();
      runs[i].finish();
      await tick();
    }
    await d;
    expect((await Promise.all(p)).map((o) => o.first[0])).toEqual([1, 2, 3]);
  });

  it('hands a busy worker its next batch only when a full batch waits', async () => {
    const { runner, runs } = fakeRunner(1, 2);
    const b = new Batcher(runner, opts);
    const first = b.infer(images(1), 1);
    await tick();
    const small = [b.infer(images(2), 1), b.infer(images(3), 1)];
    await tick();
    expect(runs.map((r) => r.n)).toEqual([1]); // two images wait for the worker, to batch with others
    const full = b.infer(images(...Array(8).fill(4)), 8);
    await tick();
    expect(runs.map((r) => r.n)).toEqual([1, 2]); // a full batch waits: the worker gets the next one now
    runs[0].finish();
    runs[1].finish();
    await Promise.all([first, ...small]);
    await tick();
    expect(runs.map((r) => r.n)).toEqual([1, 2, 8]);
    runs[2].finish();
    await full;
  });

  it('uses every idle worker', async () => {
    const { runner, runs } = fakeRunner(2);
    const b = new Batcher(runner, { ...opts, maxBatchSize: 2 });
    const p = [1, 2, 3, 4, 5].map((i) => b.infer(images(i), 1));
    await tick();
    expect(runs.map((r) => r.n)).toEqual([2, 2]);
    runs[0].finish();
    runs[1].finish();
    await tick();
    await tick();
    expect(runs.map((r) => r.n)).toEqual([2, 2, 1]);
    runs[2].finish();
    await Promise.all(p);
  });
});
