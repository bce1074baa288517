// The evaluation session and its fixed feeds, shared by the worker (eval-worker.ts)
// and the main-thread evaluator: one place builds the test tensors and reads the result.
import * as ort from 'onnxruntime-node';
import { createSession, type SessionConfig } from './execution-provider.js';

export interface EvalInit { model: Uint8Array; session: SessionConfig; images: Uint8Array; labels: Int32Array; inputs: number }
export interface EvalResult { correct: number; loss: number }
export interface EvalSession { evaluate(params: Float32Array): Promise<EvalResult>; release(): Promise<void> }

export async function openEvaluation(init: EvalInit): Promise<EvalSession> {
  const session = await createSession(init.model, init.session);
  const n = init.labels.length;
  const feeds = { images: new ort.Tensor('uint8', init.images, [n, init.inputs]), labels: new ort.Tensor('int32', init.labels, [n]) };
  return {
    async evaluate(params) {
      const r = await session.run({ ...feeds, params: new ort.Tensor('float32', params, [params.length]) });
      return { correct: Number((r.correct.data as BigInt64Array)[0]), loss: (r.loss.data as Float32Array)[0] };
    },
    release: () => session.release(),
  };
}
