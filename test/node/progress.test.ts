// What a user sees: plain lines off a terminal (CI logs), a bar on one; the mean
// loss of the last 100 batches at every 100th batch; a summary line per epoch.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../../src/node/progress.js';

function capture(tty: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true, clearScreenDown: () => true });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') };
}

function feed(reporter: ReturnType<typeof createReporter>, chunk: number) {
  // 250 steps: losses 1.0 for the first 100, 0.5 for the next 100, 0.25 for the last 50
  const loss = (step: number) => (step < 100 ? 1 : step < 200 ? 0.5 : 0.25);
  for (let s = 0; s < 250; s += chunk) {
    const n = Math.min(chunk, 250 - s);
    reporter.chunk({ epoch: 1, step: s + n, stepsPerEpoch: 250, losses: Float32Array.from({ length: n }, (_, i) => loss(s + i)), seconds: 0.01 });
  }
  reporter.epoch({ epoch: 1, steps: 250, seconds: 0.5, trainLoss: 0.65, testLoss: 0.4, testAccuracy: 0.9123 });
  reporter.done();
}

describe('progress output', () => {
  it('off a terminal: plain lines with the mean loss of each 100 batches', () => {
    const out = capture(false);
    feed(createReporter(3, out.stream), 100);
    const lines = out.text().trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^epoch 1\/3  batch 100\/250  loss 1\.0000  \(\d+ steps\/s\)$/),
      expect.stringMatching(/^epoch 1\/3  batch 200\/250  loss 0\.5000 /),
      expect.stringMatching(/^epoch 1\/3  batch 250\/250  loss 0\.2500 /),
      'epoch 1/3: train loss 0.6500, test loss 0.4000, test accuracy 91.23%, 0.50 s (500 steps/s)',
    ]);
  });

  it('a chunk size that does not divide 100 still prints at each 100th batch', () => {
    const out = capture(false);
    feed(createReporter(1, out.stream), 30);
    // With chunks of 30 the first print comes at batch 120: the mean of 100 x 1.0 and 20 x 0.5.
    expect(out.text()).toMatch(/batch 120\/250  loss 0\.9167/);
    expect(out.text()).toMatch(/batch 210\/250/);
  });

  it('an epoch summary that arrives during the next epoch is printed, and that epoch goes on', () => {
    for (const tty of [false, true]) {
      const out = capture(tty);
      const r = createReporter(2, out.stream);
      const losses = Float32Array.from({ length: 100 }, () => 0.5);
      r.chunk({ epoch: 1, step: 100, stepsPerEpoch: 200, losses, seconds: 0.01 });
      r.chunk({ epoch: 1, step: 200, stepsPerEpoch: 200, losses, seconds: 0.01 });
      r.chunk({ epoch: 2, step: 100, stepsPerEpoch: 200, losses, seconds: 0.01 });
      r.epoch({ epoch: 1, steps: 200, seconds: 0.02, trainLoss: 0.5, testLoss: 0.4, testAccuracy: 0.9 });
      r.chunk({ epoch: 2, step: 200, stepsPerEpoch: 200, losses, seconds: 0.01 });
      r.epoch({ epoch: 2, steps: 200, seconds: 0.02, trainLoss: 0.5, testLoss: 0.3, testAccuracy: 0.95 });
      r.done();
      const text = out.text();
      const at = (re: RegExp) => text.search(re);
      expect(at(/epoch 1\/2: train loss 0\.5000, test loss 0\.4000, test accuracy 90\.00%/)).toBeGreaterThan(at(/epoch 2\/2  batch 100\/200/));
      expect(at(/epoch 2\/2  batch 200\/200/)).toBeGreaterThan(at(/epoch 1\/2: train loss/));
      expect(text).toMatch(/epoch 2\/2: train loss 0\.5000, test loss 0\.3000, test accuracy 95\.00%/);
    }
  });

  it('on a terminal: a bar with steps/s and loss, and every line still printed', () => {
    const out = capture(true);
    feed(createReporter(3, out.stream), 100);
    const text = out.text();
    expect(text).toMatch(/epoch 1\/3 \[.*\] 100\/250 \| \d+ steps\/s \| loss 1\.0000/);
    expect(text).toMatch(/batch 200\/250  loss 0\.5000/);
    expect(text).toMatch(/epoch 1\/3: train loss 0\.6500, test loss 0\.4000, test accuracy 91\.23%/);
  });
});
