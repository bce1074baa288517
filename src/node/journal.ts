// What a run records as it goes: every epoch in the JSON-lines log and in the history
// the checkpoint carries, and the checkpoint itself, written after every epoch and again
// when that epoch's evaluation (which may come epochs later) completes its record.
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EpochRecord } from '../train/checkpoint.js';
import type { EpochReport, TrainedEpoch, TrainState } from '../train/trainer.js';

export interface Journal {
  /** Every epoch so far, oldest first: a resumed checkpoint's, then this run's. */
  history(): EpochRecord[];
  /** The trainer's onEpochEnd: the state goes to the checkpoint now, the test numbers later. */
  trained(state: TrainState, epoch: TrainedEpoch): Promise<void>;
  /** The trainer's onEpoch: the epoch's record is complete (log line, checkpoint rewritten). */
  evaluated(report: EpochReport): void;
  /** Settles when the last checkpoint and log writes have; rejects if any failed. */
  done(): Promise<void>;
}

/** `prior`: the resumed checkpoint's history (the log is rewritten from it). */
export async function openJournal(logFile: string, prior: readonly EpochRecord[], save: (state: TrainState, history: EpochRecord[]) => Promise<void>): Promise<Journal> {
  const records = new Map(prior.map((r) => [r.epoch, r]));
  await mkdir(path.dirname(logFile), { recursive: true });
  await writeFile(logFile, prior.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const history = () => [...records.values()].sort((a, b) => a.epoch - b.epoch);
  // One write at a time, each of the newest state with the history as it then stands. A
  // failed write fails every later one, so the next trained() stops the run.
  let latest: TrainState | undefined;
  let [queue, logged] = [Promise.resolve(), Promise.resolve()];
  const write = () => (queue = queue.then(() => (latest ? save(latest, history().filter((r) => r.epoch <= latest!.epoch)) : undefined)));
  return {
    history,
    trained(state, epoch) {
      records.set(epoch.epoch, { ...epoch, testLoss: null, testAccuracy: null });
      latest = state;
      return write();
    },
    evaluated(report) {
      const record = { ...report, time: new Date().toISOString() };
      records.set(report.epoch, record);
      logged = logged.then(() => appendFile(logFile, `${JSON.stringify(record)}\n`));
      write().catch(() => {}); // reported by the next trained() and by done()
    },
    done: () => Promise.all([queue, logged]).then(() => {}),
  };
}
