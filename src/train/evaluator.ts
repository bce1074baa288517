// The main-thread side of eval-worker.ts: evaluate(params) posts a copy of the
// parameters and resolves with that epoch's test loss and correct count.
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../util/spawn-worker.js';
import type { EvalInit, EvalMessage } from './eval-worker.js';

export interface EvalResult { correct: number; loss: number }

export class Evaluator {
  private next = 0;
  private readonly jobs = new Map<number, { resolve: (r: EvalResult) => void; reject: (e: Error) => void }>();
  private failure?: Error;

  /** Set once the worker has failed; training checks it between chunks. */
  get error(): Error | undefined { return this.failure; }

  private constructor(private readonly worker: Worker, readonly ready: Promise<void>) {}

  static start(init: EvalInit): Evaluator {
    const worker = spawnWorker(import.meta.url, 'eval-worker', init);
    let started!: () => void, broke!: (e: Error) => void;
    const ready = new Promise<void>((resolve, reject) => { started = resolve; broke = reject; });
    const ev = new Evaluator(worker, ready);
    ready.catch(() => {}); // also reported through evaluate()
    worker.on('message', (m: EvalMessage) => {
      if (m.type === 'ready') started();
      else if (m.type === 'failed') ev.fail(new Error(`evaluation worker could not start: ${m.error}`), broke);
      else {
        const job = ev.jobs.get(m.id);
        ev.jobs.delete(m.id);
        if (m.type === 'result') job?.resolve({ correct: m.correct, loss: m.loss });
        else job?.reject(new Error(`evaluation failed: ${m.error}`));
      }
    });
    worker.on('error', (e) => ev.fail(e, broke));
    worker.on('exit', (code) => { if (code !== 0) ev.fail(new Error(`evaluation worker exited with code ${code}`), broke); });
    return ev;
  }

  evaluate(params: Float32Array): Promise<EvalResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject });
      this.worker.postMessage({ id, params });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private fail(e: Error, broke: (e: Error) => void) {
    this.failure ??= e;
    broke(e);
    for (const job of this.jobs.values()) job.reject(e);
    this.jobs.clear();
  }
}
