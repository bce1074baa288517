// The per-epoch test evaluation: evaluate(params) resolves with that epoch's test loss
// and correct count. Where a core is left over by the training threads it runs in a
// worker thread (eval-worker.ts), in parallel with the next epoch; otherwise on the
// main thread, between chunks, where it cannot contend with ORT's spinning pool.
import { availableParallelism } from 'node:os';
import { inlineEvaluator, openEvaluation } from '../train/evaluation.js';
import type { EvalData, Evaluate, EvalResult } from '../train/runtime.js';
import { RpcWorker } from '../workers/rpc.js';
import { sideThreads, type SessionConfig } from './execution-provider.js';
import { ortNode } from './sessions.js';

export interface EvalInit extends EvalData { model: Uint8Array; session: SessionConfig }

/**
 * A worker when training on the CPU leaves a core free, else the main thread (with up to
 * 2 non-spinning threads). A GPU run evaluates on the main thread, in the training's
 * provider: a worker would pay for a second CUDA/WebGPU context to save milliseconds.
 */
export async function startEvaluator(init: EvalInit, trainThreads: number): Promise<Evaluate> {
  if (init.session.ep === 'cpu' && availableParallelism() > trainThreads) return Evaluator.start({ ...init, session: { ...init.session, threads: 1, spin: false } });
  return inlineEvaluator(await openEvaluation(ortNode({ ...init.session, threads: sideThreads(), spin: false }), init.model, init));
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
