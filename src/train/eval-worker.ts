// The per-epoch test evaluation, in a worker thread: session.run blocks its thread,
// so here it runs on another core while the main thread trains the next epoch.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { createSession, type SessionConfig } from './execution-provider.js';

export interface EvalInit { model: Uint8Array; session: SessionConfig; images: Uint8Array; labels: Int32Array; inputs: number }
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
  const session = await createSession(init.model, init.session);
  const n = init.labels.length;
  const images = new ort.Tensor('uint8', init.images, [n, init.inputs]);
  const labels = new ort.Tensor('int32', init.labels, [n]);
  port.on('message', async ({ id, params }: EvalRequest) => {
    try {
      const r = await session.run({ params: new ort.Tensor('float32', params, [params.length]), images, labels });
      post({ type: 'result', id, correct: Number((r.correct.data as BigInt64Array)[0]), loss: (r.loss.data as Float32Array)[0] });
    } catch (e) {
      post({ type: 'error', id, error: (e as Error).message });
    }
  });
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'failed', error: (e as Error).message });
}
