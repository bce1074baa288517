// The journal: the checkpoint goes out at every epoch's end with the test numbers still
// null, is rewritten when they come (however late), never goes back to an older state,
// and a failed write stops the run.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openJournal } from '../../src/node/journal.js';
import type { EpochRecord } from '../../src/train/checkpoint.js';
import type { TrainState } from '../../src/train/trainer.js';

const state = (epoch: number): TrainState => ({ epoch, step: epoch * 10, params: new Float32Array(1), slots: {}, rng: epoch });
const trained = (epoch: number) => ({ epoch, steps: 10, seconds: 1, trainLoss: 1 / epoch });
const report = (epoch: number) => ({ ...trained(epoch), testLoss: 0.5, testAccuracy: 0.9 + epoch / 100 });
const logFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'journal-')), 'log', 'train-log.jsonl');

describe('journal', () => {
  it('saves each epoch at once, then again with its evaluation, the newest state always', async () => {
    const saves: { epoch: number; tests: (number | null)[] }[] = [];
    const log = logFile();
    const j = await openJournal(log, [], async (s, history) => { saves.push({ epoch: s.epoch, tests: history.map((r) => r.testAccuracy) }); });
    await j.trained(state(1), trained(1));
    await j.trained(state(2), trained(2)); // epoch 1's evaluation comes late, during epoch 3
    j.evaluated(report(1));
    j.evaluated(report(2));
    await j.done();
    expect(saves).toEqual([
      { epoch: 1, tests: [null] },
      { epoch: 2, tests: [null, null] },
      // Each write takes the history as it stands when its turn comes: both reports are in by then.
      { epoch: 2, tests: [0.91, 0.92] },
      { epoch: 2, tests: [0.91, 0.92] },
    ]);
    expect(readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch)).toEqual([1, 2]);
  });

  it('a resumed history is the log\'s start and the checkpoint\'s, pending records included', async () => {
    const prior: EpochRecord[] = [report(1), { ...trained(2), testLoss: null, testAccuracy: null }];
    const log = logFile();
    let last: EpochRecord[] = [];
    const j = await openJournal(log, prior, async (_, history) => { last = history; });
    expect(readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l).testAccuracy)).toEqual([0.91, null]);
    await j.trained(state(3), trained(3));
    j.evaluated(report(3));
    await j.done();
    expect(last.map((r) => [r.epoch, r.testAccuracy])).toEqual([[1, 0.91], [2, null], [3, 0.93]]);
    expect(j.history()).toEqual(last);
  });

  it('a failed write fails the next epoch\'s save and done()', async () => {
    let n = 0;
    const j = await openJournal(logFile(), [], async () => { if (++n === 2) throw new Error('disk full'); });
    await j.trained(state(1), trained(1));
    j.evaluated(report(1));
    await expect(j.trained(state(2), trained(2))).rejects.toThrow('disk full');
    await expect(j.done()).rejects.toThrow('disk full');
  });
});
