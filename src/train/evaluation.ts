// The per-epoch test evaluation over the evaluation program: one place builds the test
// feeds and reads the result, for every runtime and for a worker or the training thread.
import type { EvalData, Evaluate, EvalResult, Runtime } from './runtime.js';

export interface EvalSession { evaluate(params: Float32Array): Promise<EvalResult>; release(): Promise<void> }

/** `rt.session` is the session the evaluation runs in (its own settings: it runs once an epoch). */
export async function openEvaluation(rt: Pick<Runtime, 'tensor' | 'session'>, model: Uint8Array, test: EvalData): Promise<EvalSession> {
  const session = await rt.session(model);
  const n = test.labels.length;
  const feeds = { images: rt.tensor('uint8', test.images, [n, test.inputs]), labels: rt.tensor('int32', test.labels, [n]) };
  return {
    async evaluate(params) {
      const r = await session.run({ ...feeds, params: rt.tensor('float32', params, [params.length]) });
      return { correct: Number((r.correct.data as BigInt64Array)[0]), loss: (r.loss.data as Float32Array)[0] };
    },
    release: () => session.release(),
  };
}

/** Evaluation on training's own thread: the trainer awaits it before the next epoch's clock starts. */
export const inlineEvaluator = (session: EvalSession): Evaluate => ({
  concurrent: false,
  error: undefined,
  evaluate: (params) => session.evaluate(params),
  close: () => session.release(),
});
