// The per-epoch test evaluation, in a worker thread: session.run blocks its thread,
// so here it runs on another core while the main thread trains the next epoch.
import { parentPort, workerData } from 'node:worker_threads';
import { openEvaluation, type EvalInit } from './eval-session.js';

export interface EvalRequest { id: number; params: Float32Array }
export type EvalMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; correct: number; loss: number }
  | { type: 'error'; id: number; error: string };

const port = parentPort;
if (!port) throw new Error('eval-worker.ts runs as a worker thread only');
const init = workerData as EvalInit;
const post = (m: EvalMessage) => port.postMessage(m);

try {
  const session = await openEvaluation(init);
  port.on('message', async ({ id, params }: EvalRequest) => {
    try {
      post({ type: 'result', id, ...(await session.evaluate(params)) });
    } catch (e) {
      post({ type: 'error', id, error: (e as Error).message });
    }
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'failed', error: (e as Error).message });
}
