// The per-epoch test evaluation, in a worker thread: session.run blocks its thread,
// so here it runs on another core while the main thread trains the next epoch.
import { serveRequests } from '../workers/rpc.js';
import { openEvaluation, type EvalInit, type EvalResult } from './eval-session.js';

await serveRequests<EvalInit, Float32Array, EvalResult>(async (init) => {
  const session = await openEvaluation(init);
  return async (params) => ({ result: await session.evaluate(params) });
});
