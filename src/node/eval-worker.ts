// The per-epoch test evaluation, in a worker thread: session.run blocks its thread,
// so here it runs on another core while the main thread trains the next epoch.
import { openEvaluation } from '../train/evaluation.js';
import type { EvalResult } from '../train/runtime.js';
import { serveRequests } from '../workers/rpc.js';
import type { EvalInit } from './evaluator.js';
import { ortNode } from './sessions.js';

await serveRequests<EvalInit, Float32Array, EvalResult>(async (init) => {
  const session = await openEvaluation(ortNode(init.session), init.model, init);
  return async (params) => ({ result: await session.evaluate(params) });
});
