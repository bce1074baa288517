// The per-epoch test evaluation: evaluate(params) resolves with that epoch's test loss
// and correct count. Where a core is left over by the training threads it runs in a
// worker thread (eval-worker.ts), in parallel with the next epoch; otherwise on the
// main thread, between chunks, where it cannot contend with ORT's spinning pool.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../workers/spawn.js';
import { openEvaluation, type EvalInit, type EvalResult, type EvalSession } from './eval-session.js';
import type { EvalMessage } from './eval-worker.js';
import { sideThreads } from './execution-provider.js';

export interface Evaluate {
  /** Whether evaluate() runs beside training (a worker) or blocks the main thread when it runs. */
  readonly concurrent: boolean;
  evaluate(params: Float32Array): Promise<EvalResult>;
  /** Set once evaluation has failed; training checks it between chunks. */
  readonly error: Error | undefined;
  close(): Promise<void>;
}

/**
 * A worker when training on the CPU leaves a core free, else the main thread (with up to
 * 2 non-spinning threads). A GPU run evaluates on the main thread, in the training's
 * provider: a worker would pay for a second CUDA/WebGPU context to save milliseconds.
 */
export async function startEvaluator(init: EvalInit, trainThreads: number): Promise<Evaluate> {
  if (init.session.ep === 'cpu' && availableParallelism() > trainThreads) return Evaluator.start({ ...init, session: { ...init.session, threads: 1, spin: false } });
  return new InlineEvaluator(await openEvaluation({ ...init, session: { ...init.session, threads: sideThreads(), spin: false } }));
}

class InlineEvaluator implements Evaluate {
  readonly concurrent = false;
  readonly error = undefined;
  constructor(private readonly session: EvalSession) {}
  evaluate(params: Float32Array): Promise<EvalResult> { return this.session.evaluate(params); }
  close(): Promise<void> { return this.session.release(); }
}

export class Evaluator implements Evaluate {
  readonly concurrent = true;
  private next = 0;
  private readonly jobs = new Map<number, { resolve: (r: EvalResult) => void; reject: (e: Error) => void }>();
  private failure?: Error;

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
