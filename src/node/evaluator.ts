// The per-epoch test evaluation: evaluate(params) resolves with that epoch's test loss
// and correct count. Where a core is left over by the training threads it runs in a
// worker thread (eval-worker.ts), in parallel with the next epoch; otherwise on the
// main thread, between chunks, where it cannot contend with ORT's spinning pool.
import { availableParallelism } from 'node:os';
import { RpcWorker } from '../workers/rpc.js';
import { openEvaluation, type EvalInit, type EvalResult, type EvalSession } from './eval-session.js';
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

  private constructor(private readonly rpc: RpcWorker<Float32Array, EvalResult>) {}

  /** evaluate() copies the parameters to the worker (no transfer): training still feeds them to its next chunk. */
  static start(init: EvalInit): Evaluator {
    return new Evaluator(new RpcWorker(import.meta.url, 'eval-worker', init, { label: 'evaluation worker', callFailed: 'evaluation failed' }));
  }

  /** Rejects if the worker could not start; evaluate() reports that too. */
  get ready(): Promise<void> { return this.rpc.ready; }
  get error(): Error | undefined { return this.rpc.error; }
  evaluate(params: Float32Array): Promise<EvalResult> { return this.rpc.call(params); }
  close(): Promise<void> { return this.rpc.terminate(); }
}
