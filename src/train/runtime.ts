// What the training core needs from an ONNX Runtime. onnxruntime-node and
// onnxruntime-web share their InferenceSession/Tensor API, so each runtime's adapter
// (src/node/runtime.ts; the page's worker) fills this in with a few lines, and the
// core never imports either package.
import type { Target } from '../programs/target.js';

export type TensorType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8';
export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface RtTensor { readonly data: unknown; readonly dims: readonly number[] }

export interface RtSession {
  run(feeds: Record<string, RtTensor>): Promise<Record<string, RtTensor>>;
  release(): Promise<void>;
}

export interface EvalResult { correct: number; loss: number }

/** The per-epoch test evaluation, wherever the adapter runs it (a worker, the same thread). */
export interface Evaluate {
  /** Whether evaluate() runs beside training or blocks training's thread while it runs. */
  readonly concurrent: boolean;
  evaluate(params: Float32Array): Promise<EvalResult>;
  /** Set once evaluation has failed; the trainer checks it between chunks. */
  readonly error: Error | undefined;
  close(): Promise<void>;
}

/** The test split as the evaluation program takes it. */
export interface EvalData { images: Uint8Array; labels: Int32Array; inputs: number }

export interface Runtime {
  /** Where the sessions run: programs are built for it. */
  readonly target: Target;
  tensor(type: TensorType, data: TensorData, dims: readonly number[]): RtTensor;
  /** A session for a training program. */
  session(model: Uint8Array): Promise<RtSession>;
  /** An evaluator for the evaluation program over the test split. */
  evaluator(model: Uint8Array, test: EvalData): Promise<Evaluate>;
}
